using IoTStack.CostModel.Probe;
using IoTStack.Net.Tls;
using IoTStack.TlsHarness;

namespace IoTStack.CostModel;

/// <summary>
/// Issue 18's TLS paths: the client side of a full TLS 1.3 handshake per key exchange and server signature kind, and
/// record protection per AEAD, counted as nanoCLR would execute them. The server is a flight recorded from SslStream
/// (<see cref="ServerFlight"/>) for a client whose ClientHello a seed fixes, so nothing of the server is counted; the
/// client is the board's: the device key exchange, the X.509 chain check against the CA and CertificateVerify through
/// <see cref="CertificateAuthenticator"/> and its SignatureVerifier, SHA-256, HKDF and the AEADs. The entropy source
/// (the ESP32's hardware generator on a board) is not counted. Runs inside <see cref="InstrumentedContext"/>.
/// </summary>
public static class TlsScenarios
{
    public const string Chip = "tls";
    public const int SealedRecords = 16;

    /// <summary>
    /// The flights as the host recorded them (one per case, plain arrays so they cross the load contexts): per flight
    /// the case (group, signature, AEAD, version), the trust anchor, the server's bytes.
    /// </summary>
    public static PathCost[] RunAll(int[][] cases, byte[][] anchors, byte[][] serverBytes, long nowSeconds, ulong seed, int top)
    {
        var results = new List<PathCost>();
        for (int i = 0; i < cases.Length; i++)
        {
            var @case = new TlsCase(cases[i][0], (ServerSignature)cases[i][1], (RecordAead)cases[i][2], cases[i][3]);
            ServerFlight flight = ServerFlight.FromBytes(@case, seed, anchors[i], nowSeconds, serverBytes[i]);
            if (cases[i][4] != 0)
            {
                results.Add(Handshake(flight, top));
            }

            if (cases[i][5] != 0)
            {
                results.Add(Seal(flight, top));
                results.Add(Open(flight, top));
            }
        }

        return [.. results];
    }

    /// <summary>
    /// The handshake's public-key pieces alone, one each, so the handshakes can be read as a sum: a key share and its
    /// shared secret per group (the server's share made uncounted), and one CertificateVerify-sized signature check
    /// (130 bytes, RFC 8446 section 4.4.3) per signature kind through <see cref="Net.Tls.X509.SignatureVerifier"/>. A
    /// handshake runs the key exchange once and two signature checks (the leaf's certificate and CertificateVerify).
    /// </summary>
    public static PathCost[] Pieces(byte[] content, byte[] ecdsaKey, byte[] ecdsaSignature, byte[] rsaKey, byte[] rsaSignature, int top)
    {
        var entropy = new HarnessEntropy(7);
        var results = new List<PathCost>();
        foreach (ITlsKeyExchange exchange in new ITlsKeyExchange[] { new X25519KeyExchange(), new P256KeyExchange() })
        {
            byte[] share = new byte[exchange.KeyShareLength];
            byte[] serverShare = new byte[exchange.KeyShareLength];
            byte[] secret = new byte[exchange.SharedSecretLength];
            (exchange.NamedGroup == TlsCase.X25519 ? (ITlsKeyExchange)new X25519KeyExchange() : new P256KeyExchange()).GenerateKeyShare(entropy, serverShare, 0);
            bool valid = Count(() =>
            {
                exchange.GenerateKeyShare(entropy, share, 0);
                return exchange.ComputeSharedSecret(serverShare, 0, serverShare.Length, secret, 0);
            });
            results.Add(Piece(valid, exchange.NamedGroup == TlsCase.X25519 ? KeyExchangePath("X25519") : KeyExchangePath("P-256"), top));
        }

        var verifier = new Net.Tls.X509.SignatureVerifier();
        results.Add(Piece(Count(() => verifier.Verify(Net.Tls.X509.SignatureAlgorithm.EcdsaSha256, ecdsaKey, 0, ecdsaKey.Length, Net.Tls.X509.PublicKeyAlgorithm.EcdsaP256,
            content, 0, content.Length, ecdsaSignature, 0, ecdsaSignature.Length)), VerifyPath("ECDSA P-256"), top));
        results.Add(Piece(Count(() => verifier.Verify(Net.Tls.X509.SignatureAlgorithm.RsaPssSha256, rsaKey, 0, rsaKey.Length, Net.Tls.X509.PublicKeyAlgorithm.Rsa,
            content, 0, content.Length, rsaSignature, 0, rsaSignature.Length)), VerifyPath("RSA-2048 PSS"), top));
        return [.. results];
    }

    public static string KeyExchangePath(string group) => $"{group} key share and shared secret";

    public static string VerifyPath(string kind) => $"{kind} signature check (130 bytes, SHA-256)";

    /// <summary>Runs <paramref name="piece"/> once uncounted (type initialisers), then once counted.</summary>
    private static bool Count(Func<bool> piece)
    {
        piece();
        CostProbe.Reset();
        CostProbe.Counting = true;
        try
        {
            return piece();
        }
        finally
        {
            CostProbe.Counting = false;
        }
    }

    private static PathCost Piece(bool succeeded, string path, int top) => succeeded
        ? new PathCost(Chip, path, 1, 0, CostProbe.Snapshot(top))
        : throw new InvalidOperationException(path + " failed");

    public static string HandshakePath(TlsCase @case) => $"{@case.HandshakeName} (client)";

    public static string SealPath(TlsCase @case) => $"{@case.VersionName} record seal, {@case.AeadName} ({ServerFlight.ApplicationBytes} bytes)";

    public static string OpenPath(TlsCase @case) => $"{@case.VersionName} record open, {@case.AeadName} ({ServerFlight.ApplicationBytes} bytes)";

    /// <summary>Start (the ClientHello) to Connected (the client's Finished queued), the server's flight fed record by record.</summary>
    public static PathCost Handshake(ServerFlight flight, int top)
    {
        TlsClient client = flight.NewClient(out HarnessEntropy entropy);
        Connect(client, entropy, flight); // warm-up: type initialisers, the AES tables
        CostProbe.Reset();
        CostProbe.Counting = true;
        try
        {
            Connect(client, entropy, flight);
        }
        finally
        {
            CostProbe.Counting = false;
        }

        Expect(client, TlsClientState.Connected);
        return new PathCost(Chip, HandshakePath(flight.Case), 1, 0, CostProbe.Snapshot(top));
    }

    /// <summary><see cref="SealedRecords"/> writes of 1,024 bytes, each one record, taken out of the send buffer.</summary>
    public static PathCost Seal(ServerFlight flight, int top)
    {
        TlsClient client = flight.NewClient(out HarnessEntropy entropy);
        Connect(client, entropy, flight);
        byte[] data = new byte[ServerFlight.ApplicationBytes];
        client.Write(data, 0, data.Length);
        client.OutputSent(client.OutputCount);
        CostProbe.Reset();
        CostProbe.Counting = true;
        int written = 0;
        try
        {
            for (int i = 0; i < SealedRecords; i++)
            {
                written += client.Write(data, 0, data.Length);
                client.OutputSent(client.OutputCount);
            }
        }
        finally
        {
            CostProbe.Counting = false;
        }

        if (written != SealedRecords * data.Length)
        {
            throw new InvalidOperationException($"{flight.Case}: wrote {written} bytes");
        }

        return new PathCost(Chip, SealPath(flight.Case), SealedRecords, written, CostProbe.Snapshot(top));
    }

    /// <summary>The server's 1,024-byte application record fed and read, after its session tickets (not counted).</summary>
    public static PathCost Open(ServerFlight flight, int top)
    {
        TlsClient client = flight.NewClient(out HarnessEntropy entropy);
        byte[] data = new byte[ServerFlight.ApplicationBytes];
        for (int round = 0; round < 2; round++)
        {
            Connect(client, entropy, flight);
            client.Feed(flight.ServerBytes, flight.HandshakeLength, flight.ApplicationOffset - flight.HandshakeLength);
            client.OutputSent(client.OutputCount);
            CostProbe.Reset();
            CostProbe.Counting = round == 1; // the first round warms up
            try
            {
                client.Feed(flight.ServerBytes, flight.ApplicationOffset, flight.ServerBytes.Length - flight.ApplicationOffset);
                int read = client.Read(data, 0, data.Length);
                if (read != data.Length)
                {
                    throw new InvalidOperationException($"{flight.Case}: read {read} bytes ({client.State} {client.LastError})");
                }
            }
            finally
            {
                CostProbe.Counting = false;
            }
        }

        return new PathCost(Chip, OpenPath(flight.Case), 1, data.Length, CostProbe.Snapshot(top));
    }

    private static void Connect(TlsClient client, HarnessEntropy entropy, ServerFlight flight)
    {
        entropy.Restart();
        client.Start();
        client.OutputSent(client.OutputCount);
        for (int at = 0; at < flight.HandshakeLength;)
        {
            int end = ServerFlight.RecordEnd(flight.ServerBytes, at);
            client.Feed(flight.ServerBytes, at, end - at);
            client.OutputSent(client.OutputCount);
            at = end;
        }

        Expect(client, TlsClientState.Connected);
    }

    private static void Expect(TlsClient client, TlsClientState state)
    {
        if (client.State != state)
        {
            throw new InvalidOperationException($"client {client.State}, {client.LastError}, alert sent {client.AlertSent}, received {client.AlertReceived}");
        }
    }
}
