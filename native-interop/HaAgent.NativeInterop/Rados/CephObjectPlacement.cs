using System.Globalization;
using System.Text;

namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// Which placement group an object name maps to, as librados computes it for a pool without namespaces or locator
/// keys: ceph_str_hash_rjenkins (Bob Jenkins' lookup2) of the name, then ceph_stable_mod by pg_num.
/// </summary>
internal static class CephObjectPlacement
{
    internal static uint PlacementGroup(string objectName, uint pgNum)
    {
        var mask = PgNumMask(pgNum);
        var hash = Rjenkins(Encoding.UTF8.GetBytes(objectName));
        return (hash & mask) < pgNum ? hash & mask : hash & (mask >> 1);
    }

    /// <summary>One object name per placement group 0..pgNum-1, so one op on each reaches every PG of the pool.</summary>
    internal static string[] OneNamePerPlacementGroup(string prefix, uint pgNum)
    {
        var names = new string[pgNum];
        var missing = pgNum;
        for (var i = 0L; missing > 0; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}{i}");
            var pg = PlacementGroup(name, pgNum);
            if (names[pg] is null)
            {
                names[pg] = name;
                missing--;
            }
        }
        return names;
    }

    private static uint PgNumMask(uint pgNum)
    {
        var mask = 1u;
        while (mask < pgNum)
        {
            mask <<= 1;
        }
        return mask - 1;
    }

    internal static uint Rjenkins(ReadOnlySpan<byte> k)
    {
        var length = (uint)k.Length;
        uint a = 0x9e3779b9, b = a, c = 0;
        while (k.Length >= 12)
        {
            a += k[0] + ((uint)k[1] << 8) + ((uint)k[2] << 16) + ((uint)k[3] << 24);
            b += k[4] + ((uint)k[5] << 8) + ((uint)k[6] << 16) + ((uint)k[7] << 24);
            c += k[8] + ((uint)k[9] << 8) + ((uint)k[10] << 16) + ((uint)k[11] << 24);
            Mix(ref a, ref b, ref c);
            k = k[12..];
        }
        c += length;
        // The C switch falls through from the longest tail down; the first byte of c is reserved for the length.
        if (k.Length >= 11) { c += (uint)k[10] << 24; }
        if (k.Length >= 10) { c += (uint)k[9] << 16; }
        if (k.Length >= 9) { c += (uint)k[8] << 8; }
        if (k.Length >= 8) { b += (uint)k[7] << 24; }
        if (k.Length >= 7) { b += (uint)k[6] << 16; }
        if (k.Length >= 6) { b += (uint)k[5] << 8; }
        if (k.Length >= 5) { b += k[4]; }
        if (k.Length >= 4) { a += (uint)k[3] << 24; }
        if (k.Length >= 3) { a += (uint)k[2] << 16; }
        if (k.Length >= 2) { a += (uint)k[1] << 8; }
        if (k.Length >= 1) { a += k[0]; }
        Mix(ref a, ref b, ref c);
        return c;
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= b; a -= c; a ^= c >> 13;
        b -= c; b -= a; b ^= a << 8;
        c -= a; c -= b; c ^= b >> 13;
        a -= b; a -= c; a ^= c >> 12;
        b -= c; b -= a; b ^= a << 16;
        c -= a; c -= b; c ^= b >> 5;
        a -= b; a -= c; a ^= c >> 3;
        b -= c; b -= a; b ^= a << 10;
        c -= a; c -= b; c ^= b >> 15;
    }
}
