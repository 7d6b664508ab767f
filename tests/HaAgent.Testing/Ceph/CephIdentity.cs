namespace HaAgent.Testing.Ceph;

/// <summary>A cephx identity of a fixture cluster: its entity name, secret, and a keyring file holding it.</summary>
public sealed record CephIdentity(string Name, string Key, string KeyringPath);
