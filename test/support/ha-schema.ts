/**
 * The facts of Home Assistant's MQTT sensor discovery schema this project relies on (issue 29), as a
 * table: we cannot run Home Assistant here, so the discovery configs are checked against these rows.
 *
 * Checked against the home-assistant/core sources of the 2026 releases:
 * - homeassistant/components/mqtt/schemas.py, MQTT_ENTITY_COMMON_SCHEMA and
 *   MQTT_ENTITY_DEVICE_INFO_SCHEMA as of the probatio rewrite (2026): `default_entity_id` is an option,
 *   `object_id` is not (deprecated in 2025.10, removal announced for 2026.4);
 * - homeassistant/components/mqtt/sensor.py, _PLATFORM_SCHEMA_BASE and DISCOVERY_SCHEMA, which drops
 *   unknown keys without a word (`extra=REMOVE_EXTRA`): a misspelt key is silently lost, hence the
 *   allowed-keys row;
 * - homeassistant/components/sensor/const.py, DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES
 *   (commit 3fd1a330015df2a3af1aeba46d208060a5295664), only the rows for the classes we send.
 * Tried live (issue 29, the reporter): 2023.12.4, where the configs were accepted as sent then.
 * Update the release line and the rows together when checking a newer release.
 */
export const HA_SCHEMA_RELEASE = "2026 (home-assistant/core sources, mqtt schema after the object_id removal)"

/** Options an MQTT sensor discovery config may carry (the ones this project could use). */
export const HA_SENSOR_KEYS = [
    // MQTT_RO_SCHEMA
    "state_topic",
    "value_template",
    "qos",
    "encoding",
    // availability (MQTT_AVAILABILITY_SCHEMA)
    "availability_topic",
    "availability_template",
    "availability",
    "availability_mode",
    "payload_available",
    "payload_not_available",
    // MQTT_ENTITY_COMMON_SCHEMA
    "device",
    "entity_picture",
    "origin",
    "enabled_by_default",
    "entity_category",
    "icon",
    "json_attributes_topic",
    "json_attributes_template",
    "default_entity_id",
    "message_expiry_interval",
    "unique_id",
    "visible_by_default",
    // sensor _PLATFORM_SCHEMA_BASE
    "device_class",
    "expire_after",
    "force_update",
    "last_reset_value_template",
    "name",
    "options",
    "suggested_display_precision",
    "state_class",
    "unit_of_measurement",
]

/** Keys of the `device` block (MQTT_ENTITY_DEVICE_INFO_SCHEMA); `identifiers` or `connections` is required. */
export const HA_DEVICE_KEYS = [
    "identifiers",
    "connections",
    "manufacturer",
    "model",
    "model_id",
    "name",
    "hw_version",
    "serial_number",
    "sw_version",
    "via_device",
    "suggested_area",
    "configuration_url",
]

/** SensorStateClass. */
export const HA_STATE_CLASSES = ["measurement", "measurement_angle", "total", "total_increasing"]

/** ENTITY_CATEGORIES_SCHEMA. */
export const HA_ENTITY_CATEGORIES = ["config", "diagnostic"]

/** DEVICE_CLASS_UNITS: the units each device class accepts (rows for the classes we send). */
export const HA_DEVICE_CLASS_UNITS: Record<string, string[]> = {
    temperature: ["°C", "°F", "K"],
    humidity: ["%"],
    // UnitOfPressure
    atmospheric_pressure: ["Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"],
    illuminance: ["lx"],
    carbon_dioxide: ["ppm"],
    duration: ["d", "h", "min", "s", "ms", "µs"],
}

/** DEVICE_CLASS_STATE_CLASSES: the state classes each device class accepts (duration: all of them). */
export const HA_DEVICE_CLASS_STATE_CLASSES: Record<string, string[]> = {
    temperature: ["measurement"],
    humidity: ["measurement"],
    atmospheric_pressure: ["measurement"],
    illuminance: ["measurement"],
    carbon_dioxide: ["measurement"],
    duration: ["measurement", "total", "total_increasing"],
}
