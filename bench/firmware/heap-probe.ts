/**
 * The production firmware with heap ballast taken first: `npm run bench` raises BALLAST_B until
 * the worst case runs out of memory; the largest ballast that survives is the heap headroom.
 */
import "./ballast"
import "../../firmware/main"
