/** The session's states (`Session.state`); every transition is logged by `setState`. */
export const ST_IDLE = "idle"
export const ST_CONNECTING = "connecting"
export const ST_CONNECTED = "connected"
export const ST_BACKOFF = "backoff"
/** CONNACK 4/5: wrong credentials (connect.ts). */
export const ST_AUTH_FAILED = "auth_failed"
/** CONNACK 1/2: the broker refuses this client's protocol level or id (connect.ts). */
export const ST_CONFIG_ERROR = "config_error"
export const ST_STOPPED = "stopped"
