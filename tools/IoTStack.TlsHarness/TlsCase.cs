namespace IoTStack.TlsHarness;

/// <summary>The server's signature kind: its leaf key and its CA's, so the chain check and CertificateVerify use the same.</summary>
public enum ServerSignature
{
    /// <summary>ECDSA P-256 with SHA-256 (ecdsa_secp256r1_sha256, RFC 8446 section 4.2.3).</summary>
    EcdsaP256,

    /// <summary>RSA-2048 with PSS (rsa_pss_rsae_sha256; the CA signs the leaf with RSASSA-PSS too).</summary>
    Rsa2048Pss,
}

/// <summary>The record protection negotiated.</summary>
public enum RecordAead
{
    Aes128Gcm,
    ChaCha20Poly1305,
}

/// <summary>
/// One handshake configuration: key exchange group, server signature kind, suite, and the protocol version (0x0304 TLS 1.3;
/// 0x0303 once the client speaks TLS 1.2, the same harness with one more value).
/// </summary>
public sealed record TlsCase(int Group, ServerSignature Signature, RecordAead Aead, int Version = 0x0304)
{
    public const int X25519 = 0x001D;
    public const int Secp256r1 = 0x0017;

    /// <summary>The full handshakes the figures show: TLS 1.3 {X25519, P-256} x {ECDSA P-256, RSA-2048 PSS}, and two TLS 1.2, AES-128-GCM.</summary>
    public static readonly TlsCase[] Handshakes =
    [
        new(X25519, ServerSignature.EcdsaP256, RecordAead.Aes128Gcm),
        new(Secp256r1, ServerSignature.EcdsaP256, RecordAead.Aes128Gcm),
        new(X25519, ServerSignature.Rsa2048Pss, RecordAead.Aes128Gcm),
        new(Secp256r1, ServerSignature.Rsa2048Pss, RecordAead.Aes128Gcm),
        // TLS 1.2 (ECDHE): an ECDSA P-256 server needs P-256 among the groups (RFC 8422 section 5.1.1), so that pairing.
        new(Secp256r1, ServerSignature.EcdsaP256, RecordAead.Aes128Gcm, 0x0303),
        new(X25519, ServerSignature.Rsa2048Pss, RecordAead.Aes128Gcm, 0x0303),
    ];

    /// <summary>One session per AEAD for the record figures.</summary>
    public static readonly TlsCase[] Records =
    [
        new(X25519, ServerSignature.EcdsaP256, RecordAead.Aes128Gcm),
        new(X25519, ServerSignature.EcdsaP256, RecordAead.ChaCha20Poly1305),
        new(X25519, ServerSignature.Rsa2048Pss, RecordAead.Aes128Gcm, 0x0303),
        new(X25519, ServerSignature.Rsa2048Pss, RecordAead.ChaCha20Poly1305, 0x0303),
    ];

    public string GroupName => Group == X25519 ? "X25519" : "P-256";

    public string SignatureName => Signature == ServerSignature.EcdsaP256 ? "ECDSA P-256" : "RSA-2048 PSS";

    public string AeadName => Aead == RecordAead.Aes128Gcm ? "AES-128-GCM" : "ChaCha20-Poly1305";

    public string VersionName => Version == 0x0304 ? "TLS 1.3" : "TLS 1.2";

    public string HandshakeName => $"{VersionName} handshake, {GroupName}, {SignatureName}";
}
