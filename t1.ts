import {DockerRuntime} from './src/runtime/docker.js'
import {importImage} from './src/ops/image.js'
const rt = new DockerRuntime()
console.log(await rt.info())
const r = await importImage(rt, {rootfs: process.argv[2]!}, (l) => console.log('  >', l))
console.log(r)
