// The userlands lvslab supports and their recorded or reconstructed outputs (test/fixtures/userland/,
// see SOURCES.md there), for the tests of the parsers on every userland.
import {existsSync, readFileSync} from 'node:fs'

/** test/fixtures/userland/: one folder per userland. */
export const FIXTURES = new URL('../fixtures/userland/', import.meta.url)

/** A fixture of a userland as text (utf8). */
export function fixture(userland: string, file: string): string {
  return readFileSync(new URL(`${userland}/${file}`, FIXTURES), 'utf8')
}
/** Whether a userland has this fixture. */
export function hasFixture(userland: string, file: string): boolean {
  return existsSync(new URL(`${userland}/${file}`, FIXTURES))
}

/** A userland: its name (fixture folder), keepalived version and the features its keepalived has. */
export interface Userland {
  name: string
  version: [number, number, number]
  features: {configTest: boolean; signum: boolean; logFile: boolean; json: boolean}
  /** keepalived.json is there when the build has the JSON dump. */
  json: boolean
}

/** Every userland lvslab supports: CentOS 7, Rocky 9, Debian 12, Debian 13. */
export const USERLANDS: Userland[] = [
  {name: 'centos7', version: [1, 3, 5], features: {configTest: false, signum: false, logFile: false, json: false}, json: false},
  {name: 'rocky9', version: [2, 2, 8], features: {configTest: true, signum: true, logFile: false, json: true}, json: true},
  {name: 'debian12', version: [2, 2, 7], features: {configTest: true, signum: true, logFile: false, json: true}, json: true},
  {name: 'debian13', version: [2, 3, 3], features: {configTest: true, signum: true, logFile: true, json: true}, json: true},
]

/** The classic lab's VIP, as the fixtures have it. */
export const VIP = '172.20.1.100'
