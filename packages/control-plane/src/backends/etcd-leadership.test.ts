// The replicas' election against a real 3-member etcd cluster (Debian's etcd-server on loopback
// ports picked here). Replica processes (test/election-main.js): one leader among three; a leader
// SIGKILLed is replaced within the lease TTL plus a bound; a follower's and the leader's close
// return at once and leave nothing behind (the process ends on its own). In this process: a leader
// whose lease is revoked stops leading and its fenced writes are refused; a leader cut off from
// etcd (a TCP proxy in front of every member) stops acting before another replica starts.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { CutProxy } from '../../test/tcp-cut-proxy.js';
import { until } from '../../test/until.js';
import { EtcdLeadership, type Fence } from './etcd-leadership.js';
import { EtcdSession } from './etcd-session.js';
import { etcdAvailable, LocalEtcdCluster } from './local-etcd.js';

const electionMain = fileURLToPath(new URL('../../test/election-main.js', import.meta.url));
/** The campaign lease's TTL in these tests (seconds). */
const TTL = 3;

/** A replica process: its id, and whether it last said it leads. */
class ReplicaProcess {
  id = '';
  leader = false;
  closedIn: number | undefined;
  readonly exited: Promise<unknown>;
  private readonly child: ChildProcess;

  constructor(endpoints: string[], prefix: string) {
    this.child = spawn(process.execPath, [electionMain, endpoints.join(','), prefix, String(TTL)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = once(this.child, 'exit');
    let buffered = '';
    this.child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const [word, arg] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        if (word === 'ready') this.id = arg ?? '';
        if (word === 'leader' || word === 'follower') this.leader = word === 'leader';
        if (word === 'closed') this.closedIn = Number(arg);
      }
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(): Promise<unknown> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  close(): void {
    this.child.stdin!.end('close\n');
  }
}

describe('etcd leader election (3-member etcd cluster)', {
  skip: !etcdAvailable() && 'no /usr/bin/etcd',
}, () => {
  let cluster: LocalEtcdCluster;
  let etcd: Etcd3;
  const processes: ReplicaProcess[] = [];
  const inProcess: { session: EtcdSession; leadership: EtcdLeadership }[] = [];
  const proxies: CutProxy[] = [];
  let prefixes = 0;
  const prefix = () => `/shoal-election-${process.pid}-${++prefixes}`;
  /** The ids of the candidates' keys, oldest first, as etcd holds them. */
  const candidates = async (p: string) =>
    (await etcd.getAll().prefix(`${p}/election/`).sort('Create', 'Ascend').exec()).kvs;
  const replica = async (p: string, endpoints = cluster.endpoints) => {
    const session = new EtcdSession({ endpoints, prefix: p, log: () => {} });
    const leadership = new EtcdLeadership(session, { ttlSeconds: TTL, log: () => {} });
    inProcess.push({ session, leadership });
    await session.start();
    leadership.start();
    return leadership;
  };
  /** A leader-only write: etcd applies it only while `fence` holds. */
  const fencedWrite = async (p: string, fence: Fence, value: string) =>
    (
      await etcd
        .if(fence.key, 'Create', '==', fence.createRevision)
        .then(etcd.put(`${p}/leader-only`).value(value))
        .commit()
    ).succeeded;

  before(async () => {
    cluster = await LocalEtcdCluster.start(3);
    etcd = new Etcd3({ hosts: cluster.endpoints });
  });
  after(async () => {
    for (const p of processes) if (p.running) await p.kill();
    for (const { session, leadership } of inProcess) await leadership.close().then(() => session.close());
    for (const proxy of proxies) await proxy.close();
    etcd?.close();
    await cluster?.stop();
  });

  it('elects one of three replica processes; a SIGKILLed leader is replaced within the TTL plus a bound', async () => {
    const p = prefix();
    const replicas = [0, 1, 2].map(() => new ReplicaProcess(cluster.endpoints, p));
    processes.push(...replicas);
    await until(
      'one leader',
      () => replicas.every((r) => r.id !== '') && replicas.filter((r) => r.leader).length === 1,
    );
    const leader = replicas.find((r) => r.leader)!;
    assert.equal((await candidates(p))[0]?.value.toString(), leader.id, 'the oldest key leads');
    await leader.kill();
    const others = replicas.filter((r) => r !== leader);
    const ms = await until(
      'another leader',
      () => others.filter((r) => r.leader).length === 1,
      TTL * 1000 + 10_000,
    );
    console.log(`leader SIGKILLed: another elected after ${ms} ms (campaign lease TTL ${TTL} s)`);
    assert.ok(ms <= TTL * 1000 + 5000, `elected after ${ms} ms: more than the TTL plus 5 s`);
    const next = others.find((r) => r.leader)!;
    assert.equal((await candidates(p))[0]?.value.toString(), next.id);

    // A follower's close returns at once and leaves nothing open: its process ends on its own.
    const follower = others.find((r) => r !== next)!;
    follower.close();
    const [code] = (await follower.exited) as [number | null];
    assert.equal(code, 0, 'the follower process ended by itself after close');
    assert.ok(
      follower.closedIn !== undefined && follower.closedIn < 3000,
      `follower closed in ${follower.closedIn} ms`,
    );
    assert.ok(next.leader, 'the leader is untouched');
    // The leader's close resigns (deletes its key, revokes its lease) and ends its process too.
    next.close();
    assert.deepEqual(await next.exited, [0, null]);
    assert.ok(next.closedIn !== undefined && next.closedIn < 3000, `leader closed in ${next.closedIn} ms`);
    assert.deepEqual(await candidates(p), [], 'no candidate key left');
  });

  it('a leader whose lease is lost stops leading, its fenced writes are refused, and another leads', async () => {
    const p = prefix();
    const a = await replica(p);
    await until('a leads', () => a.isLeader);
    const b = await replica(p);
    await until('b is a candidate', async () => (await candidates(p)).length === 2);
    const fence = a.fence()!;
    assert.equal(await fencedWrite(p, fence, 'a'), true, 'the leader may write');
    const [key] = await candidates(p);
    await etcd.leaseClient.leaseRevoke({ ID: key!.lease });
    await until('b leads', () => b.isLeader);
    await until('a stepped down', () => !a.isLeader);
    assert.equal(await fencedWrite(p, fence, 'a'), false, "the lost term's write is refused");
    assert.equal(await fencedWrite(p, b.fence()!, 'b'), true);
    await until('a campaigns again, behind b', async () => (await candidates(p)).length === 2);
    assert.equal((await candidates(p))[0]?.value.toString(), b.id);
    assert.equal(a.isLeader, false);
  });

  it('a leader cut off from etcd stops acting before another replica starts', async () => {
    const p = prefix();
    const cut = await Promise.all(cluster.endpoints.map((e) => CutProxy.start(Number(new URL(e).port))));
    proxies.push(...cut);
    const timeline: { who: string; leader: boolean; at: number }[] = [];
    const a = await replica(
      p,
      cut.map((c) => `http://${c.connect}`),
    );
    a.onChange((leader) => timeline.push({ who: 'a', leader, at: Date.now() }));
    await until('a leads', () => a.isLeader);
    const b = await replica(p);
    b.onChange((leader) => timeline.push({ who: 'b', leader, at: Date.now() }));
    await until('b is a candidate', async () => (await candidates(p)).length === 2);
    const fence = a.fence()!;
    for (const c of cut) c.cut();
    const cutAt = Date.now();
    await until('b leads', () => b.isLeader, TTL * 1000 + 10_000);
    const stopped = timeline.find((e) => e.who === 'a' && !e.leader);
    const started = timeline.find((e) => e.who === 'b' && e.leader);
    console.log(
      `partition: the cut-off leader stopped acting ${stopped && stopped.at - cutAt} ms after the cut, the other started ${started && started.at - cutAt} ms after it`,
    );
    assert.ok(stopped && started && stopped.at < started.at, 'no two leaders acting at once');
    assert.equal(await fencedWrite(p, fence, 'a'), false, "the cut-off leader's term is fenced off");
    for (const c of cut) c.restore();
    await until('a campaigns again, behind b', async () => (await candidates(p)).length === 2, 15_000);
    assert.equal(a.isLeader, false);
    assert.equal(b.isLeader, true);
  });
});
