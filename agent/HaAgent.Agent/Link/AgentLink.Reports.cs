using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using HaAgent.Agent.Orders;
using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;

namespace HaAgent.Agent.Link;

/// <summary>Hello, VM reports, VM definitions and self-fence reports: one loop, woken by VM changes.</summary>
internal sealed partial class AgentLink
{
    private async Task ReportLoopAsync(CancellationToken cancellationToken)
    {
        FenceIdentity? helloSent = null;
        var reportDue = true;
        var nextFull = _time.GetUtcNow();
        long changeInput = 0;
        DateTimeOffset reportedSelfFencesUpTo = DateTimeOffset.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = true;
                var fence = _fenceIdentity();
                if (_helloNeeded || helloSent is null || !Same(fence, helloSent))
                {
                    _helloNeeded = false;
                    var hello = new HelloMessage(_identity.HostId, _identity.Incarnation, AgentVersion, ["fence", "unfence", "start-vm", "stop-vm"], fence);
                    if ((await DeliverAsync(hello, cancellationToken).ConfigureAwait(false)).Delivered)
                    {
                        helloSent = fence;
                        _sentDefinitionHashes.Clear();
                        LogHelloDelivered(_identity.Incarnation, _client.PreferredEndpoint.ToString(), fence.CephClientAddresses.Count);
                    }
                    else
                    {
                        _helloNeeded = true;
                        ok = false;
                    }
                }

                if (ok && (reportDue || _time.GetUtcNow() >= nextFull))
                {
                    var report = new VmReportMessage(_identity.HostId, _identity.Incarnation, Report(_watcher.Snapshot()));
                    if ((await DeliverAsync(report, cancellationToken).ConfigureAwait(false)).Delivered)
                    {
                        Interlocked.Increment(ref _reportsDelivered);
                        if (reportDue && changeInput != 0)
                        {
                            LastChangeToReport = Stopwatch.GetElapsedTime(changeInput);
                        }
                        reportDue = false;
                        changeInput = 0;
                        nextFull = _time.GetUtcNow() + _options.ReportInterval;
                    }
                    else
                    {
                        ok = false;
                    }
                }

                if (ok)
                {
                    (ok, reportedSelfFencesUpTo) = await ReportSelfFencesAsync(reportedSelfFencesUpTo, cancellationToken).ConfigureAwait(false);
                }
                if (ok)
                {
                    ok = await SendDefinitionsAsync(cancellationToken).ConfigureAwait(false);
                }

                // After a failed send wait exactly the retry delay: the next full report may already be due (it is
                // at start), and a wait of zero would retry in a tight loop for as long as no coordinator answers.
                var wait = ok ? nextFull - _time.GetUtcNow() : _options.RetryDelay;
                var input = await WaitForChangeAsync(wait, cancellationToken).ConfigureAwait(false);
                if (input != 0)
                {
                    // Let a burst of changes (a self-fence stopping every VM) settle into one report.
                    if (_options.ReportCoalesce > TimeSpan.Zero)
                    {
                        await Task.Delay(_options.ReportCoalesce, _time, cancellationToken).ConfigureAwait(false);
                    }
                    while (_watcher.Changes.TryRead(out var more))
                    {
                        input = Math.Min(input, more.InputTimestamp);
                    }
                    changeInput = changeInput == 0 ? input : Math.Min(changeInput, input);
                    reportDue = true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits for a VM change (returns its input timestamp), a wake-up or the timeout (0).</summary>
    private async Task<long> WaitForChangeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_watcher.Changes.TryRead(out var ready))
        {
            return ready.InputTimestamp;
        }
        if (wait <= TimeSpan.Zero)
        {
            return 0;
        }
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var change = _watcher.Changes.WaitToReadAsync(waiting.Token).AsTask();
        var wake = _wake.WaitAsync(waiting.Token);
        var timeout = Task.Delay(wait, _time, waiting.Token);
        await Task.WhenAny(change, wake, timeout).ConfigureAwait(false);
        waiting.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return _watcher.Changes.TryRead(out var change2) ? change2.InputTimestamp : 0;
    }

    private async Task<(bool Ok, DateTimeOffset UpTo)> ReportSelfFencesAsync(DateTimeOffset upTo, CancellationToken cancellationToken)
    {
        foreach (var record in _state.Current.PendingSelfFences.Where(r => r.At > upTo))
        {
            var killed = record.StoppedVms.Concat(record.Killed).Distinct(StringComparer.Ordinal).Where(MessageValidator.IsId).ToArray();
            var reason = OrderResults.Text(record.Failed.Count == 0 ? record.Reason : $"{record.Reason}; failed: {string.Join("; ", record.Failed)}");
            var report = new SelfFenceReportMessage(_identity.HostId, _identity.Incarnation, reason, killed);
            if (!(await DeliverAsync(report, cancellationToken).ConfigureAwait(false)).Delivered)
            {
                return (false, upTo);
            }
            upTo = record.At;
            LogSelfFenceReported(record.At, killed.Length);
        }
        return (true, upTo);
    }

    /// <summary>An unchanged definition (no Defined event, same connection) is read again only after this.</summary>
    private static readonly TimeSpan DefinitionRecheck = TimeSpan.FromMinutes(5);

    /// <summary>Per VM: the watcher's definition version when its XML was last read, and when.</summary>
    private readonly Dictionary<string, (long Version, DateTimeOffset At)> _definitionsRead = new(StringComparer.Ordinal);

    private async Task<bool> SendDefinitionsAsync(CancellationToken cancellationToken)
    {
        foreach (var vm in _watcher.Snapshot())
        {
            if (!MessageValidator.IsId(vm.Name))
            {
                continue;
            }
            // Two libvirt calls per VM per report otherwise (100 with 50 VMs every 10 s): read only what may have changed.
            var version = _watcher.DefinitionVersion(vm.Uuid);
            if (_sentDefinitionHashes.ContainsKey(vm.Name) && _definitionsRead.TryGetValue(vm.Name, out var read)
                && read.Version == version && _time.GetUtcNow() - read.At < DefinitionRecheck)
            {
                continue;
            }
            string? xml;
            try
            {
                xml = await _definitions.ReadAsync(vm.Uuid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDefinitionUnreadable(vm.Name, e.Message);
                continue;
            }
            if (xml is null || xml.Length > Protocol.ProtocolLimits.MaxDomainXmlChars)
            {
                continue;
            }
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(xml)));
            if (_sentDefinitionHashes.TryGetValue(vm.Name, out var sent) && sent == hash)
            {
                _definitionsRead[vm.Name] = (version, _time.GetUtcNow());
                continue;
            }
            var definition = new VmDefinitionMessage(_identity.HostId, _identity.Incarnation, vm.Name, xml);
            var outcome = await DeliverAsync(definition, cancellationToken).ConfigureAwait(false);
            if (!outcome.Delivered && !outcome.Unsendable)
            {
                return false;
            }
            _sentDefinitionHashes[vm.Name] = hash;
            _definitionsRead[vm.Name] = (version, _time.GetUtcNow());
        }
        return true;
    }
}
