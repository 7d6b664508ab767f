using HaAgent.Coordinator.Api;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class ApiOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Null(new ApiOptions().Validate());

    [Theory]
    [InlineData("ops", "short", "operator", "Api:Tokens:0:Token")]
    [InlineData("ops", "long-enough-secret-123", "root", "Api:Tokens:0:Role")]
    [InlineData("has space", "long-enough-secret-123", "viewer", "Api:Tokens:0:Name")]
    public void Validate_BadToken_NamesTheKey(string name, string token, string role, string key)
    {
        var options = new ApiOptions { Tokens = [new ApiTokenOptions { Name = name, Token = token, Role = role }] };
        Assert.StartsWith(key, options.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateNameOrTinyBodyLimit_NamesTheKey()
    {
        var twice = new ApiOptions
        {
            Tokens = [new ApiTokenOptions { Name = "a", Token = "long-enough-secret-123" }, new ApiTokenOptions { Name = "a", Token = "long-enough-secret-456" }],
        };
        Assert.StartsWith("Api:Tokens:1:Name", twice.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Api:MaxRequestBodyBytes", new ApiOptions { MaxRequestBodyBytes = 10 }.Validate(), StringComparison.Ordinal);
    }
}
