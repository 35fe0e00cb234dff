#!/usr/bin/env bash
# Installs the brokers `npm run test:interop` and `npm run bench:cluster` start
# (privately, on free ports): Mosquitto, NATS, RabbitMQ and Redis (the aedes
# cluster's shared store) from Debian; aedes and its Redis modules come from npm. Only what is
# missing is installed; a service the package starts on its default port is
# left alone (the tests never use it).
set -euo pipefail

missing=""
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have mosquitto || missing="$missing mosquitto"
have mosquitto_passwd || missing="$missing mosquitto"
have nats-server || missing="$missing nats-server"
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing="$missing rabbitmq-server"
have redis-server || missing="$missing redis-server"
missing="$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')"

if [ -n "${missing// /}" ]; then
    if [ "$(id -u)" = "0" ]; then
        echo "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq $missing >/dev/null
    else
        echo "warning: missing Debian packages:$missing (run as root, or install them); those brokers are reported unavailable" >&2
    fi
fi
