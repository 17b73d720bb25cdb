import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000}},
      // Needs Chromium (headless): the HTML report as a browser lays it out.
      {test: {name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000}},
      // Needs a Docker engine (the host's); no IPVS.
      {test: {name: 'docker', include: ['test/docker/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false}},
      // Needs a Docker engine on a kernel with ip_vs: run by test/e2e/launch.js, in the kernel VM here.
      {test: {name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 1_200_000, hookTimeout: 1_800_000, fileParallelism: false}},
    ],
  },
})
