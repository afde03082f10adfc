namespace IoTStack.Crypto.Tests.X509;

/// <summary>The key and signature scheme a test chain is made with.</summary>
public enum ChainKind
{
    Rsa,
    RsaPss,
    P256,
    P384,
}
