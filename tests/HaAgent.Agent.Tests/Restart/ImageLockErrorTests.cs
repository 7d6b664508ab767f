using HaAgent.Agent.Restart;

namespace HaAgent.Agent.Tests.Restart;

public sealed class ImageLockErrorTests
{
    [Theory]
    [InlineData("internal error: qemu unexpectedly closed the monitor: 2026-11-26T05:00:00.000000Z qemu-system-x86_64: -blockdev {...}: Failed to get \"write\" lock\nIs another process using the image [/var/lib/images/a.qcow2]?", "/var/lib/images/a.qcow2")]
    [InlineData("Failed to get shared \"write\" lock\nIs another process using the image [rbd:pool/vm-1]?", "rbd:pool/vm-1")]
    [InlineData("Failed to get \"write\" lock\nIs another process using the image []?", "")]
    [InlineData("Failed to get \"write\" lock (no image named)", null)]
    [InlineData("Failed to get \"write\" lock\nIs another process using the image [/unterminated", null)]
    public void Matches_LockRefusal_TrueWithTheImage(string message, string? image)
    {
        Assert.True(ImageLockError.Matches(message, out var found));
        Assert.Equal(image, found);
    }

    [Fact]
    public void Matches_OtherError_False()
    {
        Assert.False(ImageLockError.Matches("Is another process using the image [/x]? but no lock words", out var image));
        Assert.Null(image);
    }
}
