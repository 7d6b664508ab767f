// Packages, units and the binaries under test are Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
