namespace IoTStack.Crypto.Tests.X509;

/// <summary>A root CA, an intermediate CA and a leaf, as DER, made with .NET's CertificateRequest.</summary>
public sealed record TestChain(byte[] Root, byte[] Intermediate, byte[] Leaf);
