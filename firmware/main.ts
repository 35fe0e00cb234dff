import * as ds from "@devicescript/core"
import { readSetting } from "@devicescript/settings"

const temp = new ds.Temperature()
console.log("boot")
setInterval(async () => {
    console.log("tick")
    const host = await readSetting("MQTT_HOST", "none")
    console.log(`host=${host}`)
    const t = await temp.reading.read()
    console.log(`host=${host} t=${t}`)
}, 1000)
