/** The production firmware with the steady-state heap probe (steady-fill.ts) started first. */
import "./steady-fill"
import "../../firmware/main"
