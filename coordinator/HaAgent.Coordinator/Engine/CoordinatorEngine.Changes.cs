using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    private static readonly byte[] EngineEntryPrefix = Encoding.UTF8.GetBytes("{\"action\":\"engine.");

    /// <summary>
    /// Spots API changes through the audit log: every API mutation commits its audit record (action, key, document)
    /// in the same transaction as the document, so reading the entries after the last seen sequence is a complete
    /// change feed whose cost is the number of new entries — nothing when nothing changed, however many VMs there
    /// are (listing 200 000 VM documents to compare versions would cost ~200 store pages per poll). Maintenance
    /// on/off becomes the core's MaintenanceRequest; any other host, VM or rule change rebuilds the core from fresh
    /// documents and its own snapshot — deferred while a host is mid-fence or mid-return, whose progress a rebuild
    /// would forget.
    /// </summary>
    private async Task PollChangesAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        var nowTicks = Environment.TickCount64;
        if (nowTicks < _term.NextChangePollTicks)
        {
            return;
        }
        _term.NextChangePollTicks = nowTicks + (long)_options.ChangePollPeriod.TotalMilliseconds;
        while (true)
        {
            var page = await _store.ReadAuditAsync(_term.FeedAfter, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
            {
                _term.FeedAfter = entry.Sequence;
                Classify(env, entry.Payload);
            }
            if (!page.HasMore)
            {
                break;
            }
        }
        if (_term.RebuildPending && !AnyHostInTransition())
        {
            _term.RebuildPending = false;
            await RebuildAsync(env, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Classify(CoordinatorEnvironment env, ReadOnlyMemory<byte> payload)
    {
        if (payload.Span.StartsWith(EngineEntryPrefix))
        {
            return; // our own decisions (possibly large): no need to parse them
        }
        var (action, subject) = ReadActionAndSubject(payload.Span);
        if (action is null || action.Contains("definition", StringComparison.Ordinal))
        {
            return;
        }
        if (action is "host.maintenance-on" or "host.maintenance-off" && subject is not null && subject.StartsWith(ApiStore.HostsPrefix, StringComparison.Ordinal))
        {
            env.Observe(new MaintenanceRequest(_time.GetUtcNow(), subject[ApiStore.HostsPrefix.Length..], action == "host.maintenance-on"));
            return;
        }
        if (action.StartsWith("host.", StringComparison.Ordinal) || action.StartsWith("vm.", StringComparison.Ordinal)
            || action.StartsWith("rule.", StringComparison.Ordinal))
        {
            _term.RebuildPending = true;
        }
    }

    /// <summary>The top-level "action" and "subject" strings of an audit record, skipping everything else unparsed.</summary>
    private static (string? Action, string? Subject) ReadActionAndSubject(ReadOnlySpan<byte> json)
    {
        string? action = null, subject = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAction = reader.ValueTextEquals("action"u8);
                var isSubject = reader.ValueTextEquals("subject"u8);
                reader.Read();
                if ((isAction || isSubject) && reader.TokenType == JsonTokenType.String)
                {
                    if (isAction)
                    {
                        action = reader.GetString();
                    }
                    else
                    {
                        subject = reader.GetString();
                    }
                    if (action is not null && subject is not null)
                    {
                        break;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: written by something that is not the API; not a document change.
        }
        return (action, subject);
    }

    private bool AnyHostInTransition()
    {
        foreach (var hostId in _term.HostIds)
        {
            if (_core!.HostStateOf(hostId) is HostState.Fencing or HostState.Returning or HostState.Unfencing)
            {
                return true;
            }
        }
        return false;
    }
}
