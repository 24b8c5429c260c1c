#!/bin/bash
# A real Slurm cluster on this machine for the Slurm executor's tests: munge, slurmctld and
# four virtual nodes (slurmd -N n1..n4), an sshd on 127.0.0.1 with a throwaway key, a
# user `fbtest` who submits the jobs, a stand-in `apptainer` on PATH, and the ssh alias `fbcluster` in root's ~/.ssh/config.
# Every daemon is stopped by its pid file.
#   cluster.sh start | stop
set -euo pipefail
STATE=/run/factorybench-cluster
SSH_PORT=${FACTORYBENCH_SSH_PORT:-2222}
NODES="n1 n2 n3 n4"

stop_pid() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid; pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop() {
    for node in $NODES; do stop_pid "/run/slurmd-$node.pid"; done
    stop_pid /run/slurmctld.pid
    stop_pid "$STATE/sshd.pid"
    stop_pid /run/munge/munged.pid
}

start() {
    stop
    # A fresh controller state: jobs of an earlier, interrupted test run must not come back
    # and hold the nodes.
    rm -rf /var/spool/slurmctld /var/spool/slurmd-n*
    mkdir -p "$STATE" /run/munge /run/sshd /var/spool/slurmctld /var/log/slurm
    id fbtest >/dev/null 2>&1 || useradd --create-home --shell /bin/bash fbtest
    install -m 755 "$(dirname "$0")/apptainer" /usr/local/bin/apptainer  # the stand-in

    # munge: one key, the daemon runs as its own user.
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key /run/munge && chmod 400 /etc/munge/munge.key && chmod 755 /run/munge
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid

    local host; host=$(hostname -s)
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=factorybench
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd-%n
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd-%n.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
KillWait=2
InactiveLimit=0
SlurmdTimeout=60
NodeName=n1 NodeAddr=127.0.0.1 Port=17001 CPUs=10 RealMemory=4000 State=UNKNOWN
NodeName=n2 NodeAddr=127.0.0.1 Port=17002 CPUs=10 RealMemory=4000 State=UNKNOWN
NodeName=n3 NodeAddr=127.0.0.1 Port=17003 CPUs=10 RealMemory=4000 State=UNKNOWN
NodeName=n4 NodeAddr=127.0.0.1 Port=17004 CPUs=10 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=n1,n2,n3,n4 Default=YES MaxTime=INFINITE State=UP
CONF
    touch /var/log/slurm/jobcomp.log && chmod 644 /var/log/slurm/jobcomp.log
    /usr/sbin/slurmctld -i
    for node in $NODES; do
        mkdir -p "/var/spool/slurmd-$node"
        /usr/sbin/slurmd -N "$node"
    done

    # sshd on loopback; root reaches fbtest through the alias `fbcluster`.
    ssh-keygen -A >/dev/null
    mkdir -p /root/.ssh && chmod 700 /root/.ssh
    [ -f "$STATE/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$STATE/id_ed25519"
    install -d -m 700 -o fbtest -g fbtest /home/fbtest/.ssh
    install -m 600 -o fbtest -g fbtest "$STATE/id_ed25519.pub" /home/fbtest/.ssh/authorized_keys
    # -D: sshd's own daemon() needs a /dev/null some sandboxes lack; the pid file is ours.
    setsid /usr/sbin/sshd -D -p "$SSH_PORT" -o ListenAddress=127.0.0.1 -o PidFile=none -o PasswordAuthentication=no \
        -o MaxStartups=100:30:200 -o MaxSessions=100 \
        -E /var/log/slurm/sshd.log </dev/null >/dev/null 2>&1 &
    echo $! > "$STATE/sshd.pid"
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$SSH_PORT") 2>/dev/null && break; sleep 0.1; done
    if ! grep -q '^Host fbcluster$' /root/.ssh/config 2>/dev/null; then
        cat >> /root/.ssh/config <<CONF

Host fbcluster
    HostName 127.0.0.1
    Port $SSH_PORT
    User fbtest
    IdentityFile $STATE/id_ed25519
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    LogLevel ERROR
CONF
        chmod 600 /root/.ssh/config
    fi

    # Ready when every node is idle and the alias answers.
    for _ in $(seq 60); do
        idle=$(sinfo -h -N -t idle -o %N 2>/dev/null | sort -u | wc -l)
        [ "$idle" -ge 3 ] && break
        sleep 1
    done
    sinfo -N
    ssh -o BatchMode=yes fbcluster 'echo "ssh as $(whoami): ok"; sinfo -h -o %D'
}

"$@"
