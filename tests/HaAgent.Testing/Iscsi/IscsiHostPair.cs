using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Testing.Iscsi;

/// <summary>
/// A fresh tgtd target (one LUN) with host A's and host B's sessions on LUN 1, brought to the reservation state most
/// persistent-reservation tests start from. Owns all three: sessions first, then the target, are disposed.
/// <c>var (target, a, b) = hosts;</c> gives the parts.
/// </summary>
public sealed class IscsiHostPair : IAsyncDisposable
{
    private IscsiHostPair(TgtTarget target, IscsiSession a, IscsiSession b)
    {
        Target = target;
        A = a;
        B = b;
    }

    public TgtTarget Target { get; }

    public IscsiSession A { get; }

    public IscsiSession B { get; }

    /// <summary>Skips (Requires) without libiscsi or tgt.</summary>
    public static async Task<IscsiHostPair> StartAsync(IscsiHostSetup setup = IscsiHostSetup.ReservedByA)
    {
        IscsiTestHosts.RequireLibiscsi();
        var target = await TgtTarget.StartAsync();
        IscsiSession? a = null;
        IscsiSession? b = null;
        try
        {
            a = IscsiTestHosts.Connect(target, IscsiTestHosts.InitiatorA);
            b = IscsiTestHosts.Connect(target, IscsiTestHosts.InitiatorB);
            if (setup >= IscsiHostSetup.Registered)
            {
                a.Register(IscsiTestHosts.KeyA);
                b.Register(IscsiTestHosts.KeyB);
            }
            if (setup == IscsiHostSetup.ReservedByA)
            {
                a.Reserve(IscsiTestHosts.KeyA, IscsiTestHosts.WriteExclusiveRegistrantsOnly);
            }
            return new IscsiHostPair(target, a, b);
        }
        catch
        {
            b?.Dispose();
            a?.Dispose();
            await target.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out TgtTarget target, out IscsiSession a, out IscsiSession b)
    {
        target = Target;
        a = A;
        b = B;
    }

    public async ValueTask DisposeAsync()
    {
        B.Dispose();
        A.Dispose();
        await Target.DisposeAsync();
    }
}
