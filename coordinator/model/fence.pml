/*
 * HaAgent's fence-then-restart protocol, for the SPIN model checker.
 *
 * Safety property: a VM never has two writers -- at no point can both h1's copy and h2's copy of v write to
 * the shared storage. Checked by an assertion in the storage process every time a write could land.
 *
 * The real protocol verifies with 0 errors. Each of these flags removes one guard and must make SPIN find a
 * violation (README.md lists the trail each one produces):
 *   -DNO_VERIFY               the coordinator restarts v on h2 right after ordering the fence, without waiting
 *                             for evidence or checking storage
 *   -DACCEPT_STALE_EPOCH      agents obey orders carrying an epoch lower than the highest they have seen
 *   -DFORGET_EPOCH_ON_REBOOT  an agent keeps its highest-seen epoch only in memory, so a reboot forgets it
 *   -DUNFENCE_WITHOUT_KILL    the agent unfences on the coordinator's word alone, without stopping a local
 *                             copy of v first
 *   -DUNGUARDED_ORDERS        a leader sends orders without first checking its epoch in the coordination store
 *   -DREORDERING_LINKS        the transport may deliver one leader's orders to an agent out of order
 * Two probes show the 0 errors are not vacuous: each asserts that a step of the protocol never happens, and SPIN
 * must find a trail where it does.
 *   -DPROBE_FAILOVER          h2's copy never writes while h1's copy still runs (some run fails over from an
 *                             h1 that is alive and fenced, not just dead)
 *   -DPROBE_RETURN            h1 is never unfenced (the return path completes in some run)
 * -DMAXE=n sets how many coordinator leaders (epochs 1..n) the run may elect: 2 by default, 3 at most (too big
 * for an exhaustive search; see README.md). -DLINKCAP=n sets how many orders one link holds in flight (2).
 */

#ifndef MAXE
#define MAXE 2
#endif

#ifndef LINKCAP
#define LINKCAP 2
#endif

#define H1 0
#define H2 1

/* One FIFO link per (leader epoch, agent): a leader talks to an agent over one stream, so its own orders keep
 * their order, but orders from different leaders race each other freely. */
#define LINK(e, h) (((e) - 1) * 2 + (h))

mtype = { FENCE, START, RESTART, UNFENCE };

/* The coordination store (etcd): the current leader epoch and where v should run. Only the leader of the current
 * epoch can write owner (a compare-and-swap on the epoch); anyone may read. */
byte epoch = 1;
byte owner = H1;

/* The shared storage: which hosts are fenced (Ceph blocklist / SCSI-3 PR preempted). */
bool fenced[2];

/* Which host has a copy of v running, whether h1 is cut off from coordinator and peer, and the highest leader
 * epoch each agent has obeyed. */
bool running[2];
bool isolated;
byte seen[2];

chan order[MAXE * 2] = [LINKCAP] of { mtype, byte };
chan status = [1] of { bool };     /* h1 -> whichever leader reads it: is v running here */
chan evidence = [1] of { byte };   /* h2 -> whichever leader reads it: I fenced h1 for epoch e */

/* The network may drop any message; a full queue also drops. An identical order still in flight on the same link
 * is not queued twice: orders are idempotent, so the duplicate adds states but no behaviour (README.md). */
#define lossy_order(link, kind, e) if :: nfull(order[link]) && !(order[link]??[kind, e]) -> order[link]!kind, e :: true -> skip fi

#ifdef ACCEPT_STALE_EPOCH
#define fresh(h, e) true
#else
#define fresh(h, e) ((e) >= seen[h])
#endif

#define two_writers (running[H1] && !fenced[H1] && running[H2] && !fenced[H2])

/*
 * Every order is sent only after a compare-and-swap on the leader epoch in the coordination store succeeded
 * (the decision is recorded, then sent). The send itself can still be lost or arrive late, after a newer leader
 * has taken over. -DUNGUARDED_ORDERS drops that check for all orders except the owner change itself, which the
 * store always guards.
 */
#ifdef UNGUARDED_ORDERS
#define still_leader(me) true
#else
#define still_leader(me) (epoch == (me))
#endif

/*
 * A coordinator leader. A deposed leader does not know at once (a paused or partitioned process): it keeps
 * acting on its own view, and reads the store whenever it gets to run. Its orders carry its epoch.
 */
proctype Coordinator(byte me)
{
    byte view;
    byte e;
    bool r;

    view = owner;
watch:
    do
    :: view == H1 ->
        /* h1 went silent: dead, isolated but still running v, or just slow -- the coordinator cannot tell. */
        goto failover
    :: view == H2 && still_leader(me) ->
        /* The start may have been lost, or the previous leader may have died between recording and sending. */
        lossy_order(LINK(me, H2), START, me)
    :: status?r ->
        if
        :: !r && view == H1 && still_leader(me) ->
            lossy_order(LINK(me, H1), RESTART, me)
        :: !r && view == H2 && fenced[H1] && still_leader(me) ->
            /* h1 is back and says its copy is dead: let it write again. */
            lossy_order(LINK(me, H1), UNFENCE, me)
        :: else -> skip
        fi;
        r = false
    :: evidence?_
    :: epoch != me -> goto deposed
    od;

failover:
    lossy_order(LINK(me, H2), FENCE, me);
#ifndef NO_VERIFY
    do
    :: evidence?e ->
        if
        :: e == me && fenced[H1] -> e = 0; break    /* evidence for this epoch, confirmed by storage itself */
        :: else -> e = 0
        fi
    :: lossy_order(LINK(me, H2), FENCE, me)
    :: status?_
    :: epoch != me -> goto deposed
    od;
#endif
    if
    :: atomic { epoch == me -> owner = H2 };
        view = H2;
        lossy_order(LINK(me, H2), START, me);
        goto watch
    :: epoch != me -> goto deposed    /* the store refused the write */
    fi;
deposed:
    skip
}

inline obey(h, e)
{
    if
    :: e > seen[h] -> seen[h] = e
    :: else -> skip
    fi
}

inline h1_handle(m, e)
{
    if
    :: isolated -> skip    /* lost on the cut link */
    :: !isolated && fresh(H1, e) ->
        obey(H1, e);
        if
        :: m == RESTART -> running[H1] = true
        :: m == UNFENCE ->
#ifdef PROBE_RETURN
            assert(!fenced[H1]);
#endif
#ifndef UNFENCE_WITHOUT_KILL
            running[H1] = false;    /* a copy started by a late order dies before h1 may write again */
#endif
            fenced[H1] = false
        :: else -> skip
        fi
    :: !isolated && !fresh(H1, e) -> skip
    fi
}

inline h2_handle(m, e)
{
    if
    :: fresh(H2, e) ->
        obey(H2, e);
        if
        :: m == FENCE ->
            fenced[H1] = true;
            if :: nfull(evidence) -> evidence!e :: true -> skip fi
        :: m == START -> running[H2] = true
        :: else -> skip
        fi
    :: else -> skip
    fi
}

#ifdef REORDERING_LINKS
#define h1_receive(l) \
    :: atomic { order[l]??RESTART, e -> h1_handle(RESTART, e); e = 0 } \
    :: atomic { order[l]??UNFENCE, e -> h1_handle(UNFENCE, e); e = 0 }
#define h2_receive(l) \
    :: atomic { order[l]??FENCE, e -> h2_handle(FENCE, e); e = 0 } \
    :: atomic { order[l]??START, e -> h2_handle(START, e); e = 0 }
#else
#define h1_receive(l) :: atomic { order[l]?m, e -> h1_handle(m, e); m = 0; e = 0 }
#define h2_receive(l) :: atomic { order[l]?m, e -> h2_handle(m, e); m = 0; e = 0 }
#endif

proctype Host1()
{
    mtype m;
    byte e;

end:
    do
    h1_receive(LINK(1, H1))
#if MAXE >= 2
    h1_receive(LINK(2, H1))
#endif
#if MAXE >= 3
    h1_receive(LINK(3, H1))
#endif
    :: !isolated && nfull(status) -> status!running[H1]
    :: isolated = !isolated
    :: isolated && running[H1] -> running[H1] = false    /* self-fence: isolated, so kill v */
    :: fenced[H1] && running[H1] -> running[H1] = false  /* writes fail with EBLOCKLISTED: kill v */
    :: atomic {
           /* crash and reboot: v dies with the host and is not autostarted */
           running[H1] = false;
#ifdef FORGET_EPOCH_ON_REBOOT
           seen[H1] = 0;
#endif
       }
    od
}

proctype Host2()
{
    mtype m;
    byte e;

end:
    do
    h2_receive(LINK(1, H2))
#if MAXE >= 2
    h2_receive(LINK(2, H2))
#endif
#if MAXE >= 3
    h2_receive(LINK(3, H2))
#endif
    od
}

/* A write from a running copy lands unless its host is fenced; when one lands, the other copy must not be able to. */
proctype Storage()
{
end:
    do
    :: d_step { running[H1] && !fenced[H1] -> assert(!two_writers) }
    :: d_step {
           running[H2] && !fenced[H2] ->
           assert(!two_writers);
#ifdef PROBE_FAILOVER
           assert(!running[H1]);
#endif
       }
    od
}

/* Leader election: each failover bumps the epoch; the old leader is not stopped. */
init
{
    atomic {
        running[H1] = true;    /* v starts out running on h1, nobody fenced, leader 1 in charge */
        run Storage();
        run Host1();
        run Host2();
        run Coordinator(1)
    };
    do
    :: epoch < MAXE -> atomic { epoch++; run Coordinator(epoch) }
    :: else -> break
    od
}
