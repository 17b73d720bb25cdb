#!/usr/bin/env bash
# The classic LVS-DR lab with the docker CLI alone, as a person would script it: what `npm run bench`
# times against `lvslab up`, on the same engine and image, with the steps that give the same lab:
# least privilege as lvslab's default (NET_ADMIN and NET_RAW); the real servers' arp sysctls given at
# creation, so set before anything runs in them, then the VIP on lo:1 as /32, the page and httpd; each
# director's keepalived.conf copied in, tested with `keepalived -t`, started. It ends when a client
# container on the lab network gets answers from both real servers through the VIP and lvs1's IPVS
# table lists both as Route. That end is weaker than what `lvslab up` verifies before it returns (VRRP
# states, one VIP holder, 20 requests in round robin order, the neighbour and IPVS checks first).
#
# usage: classic-script.sh IMAGE PREFIX CONF_DIR
#   IMAGE     the lab image (lvslab/lab:latest: it has keepalived, httpd, ipvsadm, curl and lvslab-svc)
#   PREFIX    names: PREFIX_dr for the network, PREFIX-<node> for the containers, label lvslab.bench=PREFIX
#   CONF_DIR  lvs1.conf and lvs2.conf, keepalived.conf of each director (`lvslab render` writes them)
# BENCH_TIMEOUT_S (300) bounds the wait for that state; exit 1 when it does not come.
set -euo pipefail
image=$1 p=$2 conf=$3
vip=172.20.1.100
net=${p}_dr
docker network create --subnet 172.20.0.0/16 --gateway 172.20.0.1 --label "lvslab.bench=$p" "$net" >/dev/null
arp=(--sysctl net.ipv4.conf.eth0.arp_ignore=1 --sysctl net.ipv4.conf.eth0.arp_announce=2
  --sysctl net.ipv4.conf.all.arp_ignore=1 --sysctl net.ipv4.conf.all.arp_announce=2)
run() {
  local name=$1 ip=$2
  shift 2
  docker run -d --name "$p-$name" --hostname "$name" --network "$net" --ip "$ip" --label "lvslab.bench=$p" "$@" "$image" >/dev/null
}
run rs1 172.20.1.10 --cap-add NET_ADMIN --cap-add NET_RAW "${arp[@]}"
run rs2 172.20.1.11 --cap-add NET_ADMIN --cap-add NET_RAW "${arp[@]}"
run lvs1 172.20.1.1 --cap-add NET_ADMIN --cap-add NET_RAW
run lvs2 172.20.1.2 --cap-add NET_ADMIN --cap-add NET_RAW
run client 172.20.255.254
for rs in rs1:172.20.1.10 rs2:172.20.1.11; do
  n=${rs%%:*} ip=${rs#*:}
  docker exec "$p-$n" ip addr add "$vip/32" dev lo label lo:1
  docker exec "$p-$n" sh -c "mkdir -p /var/www/html && echo 'from $ip' > /var/www/html/index.html"
  docker exec "$p-$n" lvslab-svc start httpd
done
for d in lvs1 lvs2; do
  docker cp "$conf/$d.conf" "$p-$d:/etc/keepalived/keepalived.conf"
  docker exec "$p-$d" keepalived -t -f /etc/keepalived/keepalived.conf
  docker exec "$p-$d" lvslab-svc start keepalived
done
deadline=$((SECONDS + ${BENCH_TIMEOUT_S:-300}))
# the table first (cheap), then the answers, each curl bounded to 1 s: before the VIP is up a request
# would otherwise wait out its whole timeout
both() {
  [ "$(docker exec "$p-lvs1" ipvsadm -Ln | grep -c ' Route ')" = 2 ] &&
    [ "$(docker exec "$p-client" sh -c "for i in 1 2 3 4; do curl -s --connect-timeout 1 -m 1 http://$vip/; echo; done" | grep '^from ' | sort -u | wc -l)" = 2 ]
}
until both; do
  [ $SECONDS -lt $deadline ] || {
    echo "classic-script: not converged within ${BENCH_TIMEOUT_S:-300} s" >&2
    exit 1
  }
  sleep 0.5
done
