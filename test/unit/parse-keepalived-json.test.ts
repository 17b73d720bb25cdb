import {describe, it, expect} from 'vitest'
import {parseKeepalivedJson, parseKeepalivedVersion} from '../../src/parse/keepalived.js'

// /tmp/keepalived.json, pretty-printed as `python3 -m json.tool` would show it
// (keepalived 2.2.x vrrp_json.c field order, abridged stats).
const KEEPALIVED_JSON = `[
    {
        "data": {
            "iname": "VI_1",
            "dont_track_primary": 0,
            "skip_check_adv_addr": 0,
            "strict_mode": 0,
            "vmac_ifname": "",
            "ifp_ifname": "eth0",
            "master_priority": 0,
            "last_transition": 1700000000.123456,
            "garp_delay": 5,
            "garp_refresh": 0,
            "garp_rep": 5,
            "garp_refresh_rep": 1,
            "garp_lower_prio_delay": 5,
            "garp_lower_prio_rep": 5,
            "lower_prio_no_advert": 0,
            "higher_prio_send_advert": 0,
            "vrid": 51,
            "base_priority": 150,
            "effective_priority": 150,
            "vipset": true,
            "promote_secondaries": false,
            "adver_int": 1,
            "master_adver_int": 1,
            "accept": 1,
            "nopreempt": false,
            "preempt_delay": 0,
            "state": 2,
            "wantstate": 2,
            "version": 2,
            "smtp_alert": false,
            "notify_deleted": false,
            "vips": [
                "172.20.1.100 dev eth0 scope global label eth0:1 set"
            ],
            "auth_type": 1,
            "auth_data": "lvslab"
        },
        "stats": {
            "advert_rcvd": 0,
            "advert_sent": 1234,
            "become_master": 1,
            "release_master": 0,
            "packet_len_err": 0,
            "pri_zero_rcvd": 0,
            "pri_zero_sent": 0
        }
    },
    {
        "data": {
            "iname": "VI_2",
            "ifp_ifname": "eth1",
            "master_priority": 200,
            "vrid": 52,
            "base_priority": 100,
            "effective_priority": 80,
            "state": 1,
            "wantstate": 1,
            "version": 3
        },
        "stats": {
            "advert_rcvd": 99,
            "advert_sent": 0
        }
    }
]
`

describe('parseKeepalivedJson', () => {
  it('parses the 2.2.x array layout', () => {
    expect(parseKeepalivedJson(KEEPALIVED_JSON)).toEqual([
      {
        instance: 'VI_1',
        state: 'MASTER',
        priority: 150,
        effectivePriority: 150,
        interface: 'eth0',
        virtualRouterId: 51,
      },
      {
        instance: 'VI_2',
        state: 'BACKUP',
        priority: 100,
        effectivePriority: 80,
        interface: 'eth1',
        virtualRouterId: 52,
      },
    ])
  })

  it('maps numeric states 0/3/98 and unknown numbers', () => {
    const mk = (state: number): string => JSON.stringify([{data: {iname: 'X', state, vrid: 1}, stats: {}}])
    expect(parseKeepalivedJson(mk(0))[0]?.state).toBe('INIT')
    expect(parseKeepalivedJson(mk(3))[0]?.state).toBe('FAULT')
    expect(parseKeepalivedJson(mk(98))[0]?.state).toBe('STOP')
    expect(parseKeepalivedJson(mk(42))[0]?.state).toBe('UNKNOWN')
  })

  it('accepts the json_version 2 wrapper ({"vrrp": [...]})', () => {
    const wrapped = JSON.stringify({
      vrrp: JSON.parse(KEEPALIVED_JSON) as unknown[],
      track_process: [],
    })
    expect(parseKeepalivedJson(wrapped).map((i) => i.instance)).toEqual(['VI_1', 'VI_2'])
  })

  it('throws on non-JSON or an unexpected shape', () => {
    expect(() => parseKeepalivedJson('------< VRRP Topology >------')).toThrow(/not JSON/)
    expect(() => parseKeepalivedJson('')).toThrow(/empty/)
    expect(() => parseKeepalivedJson('{"foo": 1}')).toThrow(/expected an array/)
    expect(() => parseKeepalivedJson('[{"stats": {}}]')).toThrow(/entry 0 has no data\.iname/)
  })
})

describe('parseKeepalivedVersion', () => {
  it('parses keepalived 2.2.7 (Debian 12) --version output', () => {
    // keepalived writes this on stderr.
    const text = `Keepalived v2.2.7 (01/16,2022)

Copyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>

Built with kernel headers for Linux 6.1.0
Running on Linux 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)
Distro: Debian GNU/Linux 12 (bookworm)

configure options: --build=x86_64-linux-gnu --prefix=/usr --sysconfdir=/etc

Config options:  NFTABLES LVS REGEX VRRP VRRP_AUTH VRRP_VMAC JSON FIB_ROUTING

System options:  VSYSLOG MEMFD_CREATE IPV6_MULTICAST_ALL IPV4_DEVCONF LIBNL3
`
    expect(parseKeepalivedVersion(text)).toEqual({
      major: 2,
      minor: 2,
      patch: 7,
      raw: 'Keepalived v2.2.7 (01/16,2022)',
    })
  })

  it('parses versions with a git commit suffix', () => {
    expect(parseKeepalivedVersion('Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2\n')).toEqual({
      major: 1,
      minor: 3,
      patch: 5,
      raw: 'Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2',
    })
    expect(parseKeepalivedVersion('Keepalived v2.2.8 (04/04,2023), git commit v2.2.7-154-g292b299e+')).toMatchObject({
      major: 2,
      minor: 2,
      patch: 8,
    })
  })

  it('throws on unrecognised text', () => {
    expect(() => parseKeepalivedVersion('')).toThrow(/empty output/)
    expect(() => parseKeepalivedVersion('sh: 1: keepalived: not found\n')).toThrow(
      /unrecognised keepalived --version output: sh: 1: keepalived: not found/,
    )
    expect(() => parseKeepalivedVersion('Keepalived version 2\n')).toThrow(/unrecognised/)
  })
})
