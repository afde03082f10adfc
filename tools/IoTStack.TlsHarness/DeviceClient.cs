using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.X509;
using IoTStack.Net.Wire;

namespace IoTStack.TlsHarness;

/// <summary>
/// The client as a board builds it: the device's own key exchange and, unless the fuzzer asks for the accepting double,
/// the device's X.509 validation (<see cref="CertificateAuthenticator"/>, <see cref="SignatureVerifier"/>) with the
/// harness CA as trust anchor and a wall clock set to <see cref="HarnessPki.Now"/>. Entropy is seeded, so the ClientHello
/// is the same for the same case and seed.
/// </summary>
public static class DeviceClient
{
    public const ulong DefaultSeed = 0x5EED18;

    public static TlsClientOptions Options(TlsCase @case) => new()
    {
        HostName = HarnessPki.HostName,
        OfferAes128Gcm = @case.Aead == RecordAead.Aes128Gcm,
        OfferChaCha20Poly1305 = @case.Aead == RecordAead.ChaCha20Poly1305,
        MinimumVersion = @case.Version,
        MaximumVersion = @case.Version,
    };

    public static ITlsKeyExchange KeyExchange(TlsCase @case) =>
        @case.Group == TlsCase.X25519 ? new X25519KeyExchange() : new P256KeyExchange();

    /// <summary>The device's authenticator trusting <paramref name="anchor"/> (DER), its clock at <paramref name="nowSeconds"/>.</summary>
    public static CertificateAuthenticator Authenticator(byte[] anchor, long nowSeconds)
    {
        var net = new NetStack(new NetStackOptions(), new LoopbackDevice(new MacAddress(2, 0, 0, 0, 0, 2), 4), new SystemClock());
        net.SetWallClock(nowSeconds * 1000);
        var verifier = new SignatureVerifier();
        var validator = new CertificateValidator(verifier, 4, 1);
        CertificateError added = validator.AddTrustAnchor(anchor, 0, anchor.Length);
        if (added != CertificateError.None)
        {
            throw new InvalidOperationException("trust anchor refused: " + added);
        }

        return new CertificateAuthenticator(validator, verifier, net);
    }

    /// <summary>
    /// A client for <paramref name="case"/> whose ClientHello the seed fixes; <paramref name="authenticator"/> null accepts
    /// everything, <paramref name="keyExchange"/> null is the device's own for the case's group.
    /// </summary>
    public static TlsClient Create(TlsCase @case, HarnessEntropy entropy, ITlsServerAuthenticator? authenticator, TlsClientOptions? options = null,
        ITlsKeyExchange? keyExchange = null) =>
        new(options ?? Options(@case), entropy, [keyExchange ?? KeyExchange(@case)], authenticator ?? new AcceptingAuthenticator());
}
