using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>
/// The struct layouts HaAgent mirrors must match libiscsi 1.19 on x86_64 as measured with offsetof (RECIPES.md);
/// a drift here would read garbage status or send garbage keys.
/// </summary>
public sealed class IscsiInteropLayoutTests
{
    [Fact]
    public void PersistentReserveOutBasic_MatchesCLayout()
    {
        Assert.Equal(24, Unsafe.SizeOf<Interop.Iscsi.scsi_persistent_reserve_out_basic>());
        Assert.Equal(0, Offset<Interop.Iscsi.scsi_persistent_reserve_out_basic>("reservation_key"));
        Assert.Equal(8, Offset<Interop.Iscsi.scsi_persistent_reserve_out_basic>("service_action_reservation_key"));
        Assert.Equal(16, Offset<Interop.Iscsi.scsi_persistent_reserve_out_basic>("spec_i_pt"));
        Assert.Equal(17, Offset<Interop.Iscsi.scsi_persistent_reserve_out_basic>("all_tg_pt"));
        Assert.Equal(18, Offset<Interop.Iscsi.scsi_persistent_reserve_out_basic>("aptpl"));
    }

    [Fact]
    public void PersistentReserveInStructs_MatchCLayout()
    {
        Assert.Equal(8, Offset<Interop.Iscsi.scsi_persistent_reserve_in_read_keys>("num_keys"));
        Assert.Equal(16, Interop.Iscsi.ReadKeysKeysOffset);
        Assert.Equal(32, Unsafe.SizeOf<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>());
        Assert.Equal(8, Offset<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>("reserved"));
        Assert.Equal(16, Offset<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>("reservation_key"));
        Assert.Equal(24, Offset<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>("pr_scope"));
        Assert.Equal(25, Offset<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>("pr_type"));
    }

    [Fact]
    public void ReadCapacity16AndTaskHead_MatchCLayout()
    {
        Assert.Equal(24, Unsafe.SizeOf<Interop.Iscsi.scsi_readcapacity16>());
        Assert.Equal(8, Offset<Interop.Iscsi.scsi_readcapacity16>("block_length"));
        Assert.Equal(52, Offset<Interop.Iscsi.scsi_task>("sense_key"));
        Assert.Equal(56, Offset<Interop.Iscsi.scsi_task>("sense_ascq"));
        Assert.Equal(64, Offset<Interop.Iscsi.scsi_task>("datain_size"));
        Assert.Equal(72, Offset<Interop.Iscsi.scsi_task>("datain_data"));
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
