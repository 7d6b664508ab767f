using System.Text.RegularExpressions;
using HaAgent.Agent.Configuration;

namespace HaAgent.Agent.Tests.Configuration;

/// <summary>
/// The hand-written format checks must accept exactly what the [RegularExpression] patterns accepted (a whole-string
/// match), and the validator must keep the messages the data-annotation validator gave.
/// </summary>
public sealed class AgentOptionsValidatorTests
{
    private const string Alphabet = "aZ09._-:/ \t\n\u00a0\u0660éAFfgx";

    public static TheoryData<string, string> Samples => new()
    {
        { AgentLimits.HostIdPattern, "hv-01" }, { AgentLimits.HostIdPattern, "" }, { AgentLimits.HostIdPattern, "-hv" },
        { AgentLimits.HostIdPattern, "hv 01" }, { AgentLimits.HostIdPattern, "hv01\n" }, { AgentLimits.HostIdPattern, new string('a', 63) },
        { AgentLimits.HostIdPattern, new string('a', 64) }, { AgentLimits.HostIdPattern, "h\u0660" }, { AgentLimits.HostIdPattern, "é" },
        { AgentLimits.CephClientPattern, "client.admin" }, { AgentLimits.CephClientPattern, "client." }, { AgentLimits.CephClientPattern, "client" },
        { AgentLimits.CephClientPattern, "client.a b" }, { AgentLimits.CephClientPattern, "client.a\n" }, { AgentLimits.CephClientPattern, "Client.a" },
        { AgentLimits.IqnPattern, "iqn.2024-01.test:hv-01" }, { AgentLimits.IqnPattern, "iqn.2024-01." }, { AgentLimits.IqnPattern, "iqn.2024-1.x" },
        { AgentLimits.IqnPattern, "iqn.2024-01.a b" }, { AgentLimits.IqnPattern, "iqn.2024-01.x\n" }, { AgentLimits.IqnPattern, "iqn.202a-01.x" },
        { AgentLimits.IqnPattern, "iqn.\u0660\u0660\u0660\u0660-01.x" }, { AgentLimits.IqnPattern, "eui.0123456789abcdef" },
        { AgentLimits.IqnPattern, "eui.0123456789abcdeF0" }, { AgentLimits.IqnPattern, "eui.0123456789abcdeg" },
        { AgentLimits.IqnPattern, "naa.0123456789ABCDEF" }, { AgentLimits.IqnPattern, "naa." + new string('a', 32) },
        { AgentLimits.IqnPattern, "naa." + new string('a', 33) }, { AgentLimits.IqnPattern, "naa.0123456789ABCDE" }, { AgentLimits.IqnPattern, "x.iqn" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Matcher_Sample_AgreesWithThePattern(string pattern, string text) =>
        Assert.Equal(WholeMatch(pattern, text), Matcher(pattern)(text));

    [Theory]
    [InlineData(AgentLimits.HostIdPattern, "", 70)]
    [InlineData(AgentLimits.CephClientPattern, "client.", 12)]
    [InlineData(AgentLimits.IqnPattern, "iqn.2024-01.", 8)]
    [InlineData(AgentLimits.IqnPattern, "iqn.", 14)]
    [InlineData(AgentLimits.IqnPattern, "eui.", 18)]
    [InlineData(AgentLimits.IqnPattern, "naa.", 34)]
    public void Matcher_RandomTexts_AgreesWithThePattern(string pattern, string prefix, int maxLength)
    {
        var random = new Random(20261126);
        var matcher = Matcher(pattern);
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(maxLength + 1)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = Alphabet[random.Next(Alphabet.Length)];
            }
            var text = prefix + new string(chars);
            Assert.True(WholeMatch(pattern, text) == matcher(text), $"'{text}' against {pattern}");
        }
    }

    [Fact]
    public void Validate_BadValues_SameMessagesAsTheAnnotations()
    {
        var options = new AgentOptions
        {
            HostId = "bad host/id",
            Libvirt = new LibvirtAgentOptions { Uri = "" },
            Ceph = new CephAgentOptions { ClientName = "bob", FencerClientName = "client.x", Keyring = " ", ConfigFile = "", FencerKeyring = "", HeartbeatPool = "" },
            Iscsi = new IscsiAgentOptions
            {
                InitiatorIqn = "foo",
                ReservationKey = "",
                HeartbeatSlot = 99999,
                HeartbeatLun = new IscsiLunOptions { Portal = "", TargetIqn = "x", Lun = 70000 },
            },
        };

        var result = new AgentOptionsValidator().Validate(null, options);

        // As the generated data-annotation validator printed them (captured from the binary before the change).
        Assert.Equal(
            [
                "HostId: The field AgentOptions.HostId must match the regular expression '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'.",
                "Uri: The AgentOptions.Libvirt.Uri field is required.",
                "ConfigFile: The AgentOptions.Ceph.ConfigFile field is required.",
                "ClientName: The field AgentOptions.Ceph.ClientName must match the regular expression '^client\\.[A-Za-z0-9._-]+$'.",
                "Keyring: The AgentOptions.Ceph.Keyring field is required.",
                "FencerKeyring: The AgentOptions.Ceph.FencerKeyring field is required.",
                "HeartbeatPool: The AgentOptions.Ceph.HeartbeatPool field is required.",
                "InitiatorIqn: The field AgentOptions.Iscsi.InitiatorIqn must match the regular expression '^(iqn\\.[0-9]{4}-[0-9]{2}\\.[^\\s]+|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$'.",
                "ReservationKey: The AgentOptions.Iscsi.ReservationKey field is required.",
                "Portal: The AgentOptions.Iscsi.HeartbeatLun.Portal field is required.",
                "TargetIqn: The field AgentOptions.Iscsi.HeartbeatLun.TargetIqn must match the regular expression '^(iqn\\.[0-9]{4}-[0-9]{2}\\.[^\\s]+|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$'.",
                "Lun: The field AgentOptions.Iscsi.HeartbeatLun.Lun must be between 0 and 16383.",
                "HeartbeatSlot: The field AgentOptions.Iscsi.HeartbeatSlot must be between 0 and 4095.",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_MissingHostIdAndStateFile_RequiredOnlyNotAlsoThePattern()
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { HostId = "  ", StateFile = "" });

        Assert.Equal(
            ["HostId: The AgentOptions.HostId field is required.", "StateFile: The AgentOptions.StateFile field is required."],
            result.Failures);
    }

    [Fact]
    public void Validate_GoodValues_Succeeds()
    {
        var options = new AgentOptions
        {
            HostId = "hv-01",
            Ceph = new CephAgentOptions { ClientName = "client.hv-01", Keyring = "k", FencerKeyring = "f", HeartbeatPool = "p" },
            Iscsi = new IscsiAgentOptions
            {
                InitiatorIqn = "iqn.2024-01.test:hv-01",
                ReservationKey = "0xA1",
                HeartbeatSlot = 4095,
                HeartbeatLun = new IscsiLunOptions { Portal = "127.0.0.1:3260", TargetIqn = "naa.0123456789ABCDEF", Lun = 0 },
            },
        };

        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
    }

    /// <summary>What [RegularExpression] accepted: a match spanning the whole string.</summary>
    private static bool WholeMatch(string pattern, string text)
    {
        var match = Regex.Match(text, pattern);
        return match.Success && match.Index == 0 && match.Length == text.Length;
    }

    private static Func<string, bool> Matcher(string pattern) => pattern switch
    {
        AgentLimits.HostIdPattern => AgentLimits.IsHostId,
        AgentLimits.CephClientPattern => AgentLimits.IsCephClient,
        _ => AgentLimits.IsIqn,
    };
}
