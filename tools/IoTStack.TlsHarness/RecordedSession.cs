using System.Buffers.Binary;

namespace IoTStack.TlsHarness;

/// <summary>
/// A <see cref="ServerFlight"/> kept in a file, for the fuzzer: the case, the client's share, the session's secret,
/// where the handshake ends and the server's bytes. Replayed with <see cref="FixedKeyExchange"/> and the accepting
/// authenticator, it completes the handshake as long as the client sends the same ClientHello for the same seed (a
/// change to the ClientHello needs a new recording: IoTStack.Fuzz --tls-seeds).
/// </summary>
public sealed record RecordedSession(TlsCase Case, byte[] ClientShare, byte[] SharedSecret, int HandshakeLength, byte[] ServerBytes)
{
    private const int Magic = 0x544C5331; // "TLS1"

    public static RecordedSession From(ServerFlight flight) =>
        new(flight.Case, flight.ClientShare, flight.SharedSecret, flight.HandshakeLength, flight.ServerBytes);

    public byte[] ToBytes()
    {
        var output = new List<byte>();
        void Int(int value)
        {
            byte[] bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            output.AddRange(bytes);
        }

        Int(Magic);
        Int(Case.Group);
        Int((int)Case.Signature);
        Int((int)Case.Aead);
        Int(Case.Version);
        Int(ClientShare.Length);
        output.AddRange(ClientShare);
        Int(SharedSecret.Length);
        output.AddRange(SharedSecret);
        Int(HandshakeLength);
        Int(ServerBytes.Length);
        output.AddRange(ServerBytes);
        return [.. output];
    }

    public static RecordedSession FromBytes(byte[] bytes)
    {
        int at = 0;
        int Int()
        {
            int value = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at, 4));
            at += 4;
            return value;
        }

        byte[] Bytes(int length)
        {
            byte[] value = bytes.AsSpan(at, length).ToArray();
            at += length;
            return value;
        }

        if (Int() != Magic)
        {
            throw new InvalidDataException("not a recorded TLS session");
        }

        var @case = new TlsCase(Int(), (ServerSignature)Int(), (RecordAead)Int(), Int());
        byte[] share = Bytes(Int());
        byte[] secret = Bytes(Int());
        int handshake = Int();
        return new RecordedSession(@case, share, secret, handshake, Bytes(Int()));
    }

    /// <summary>A new client this session answers: seeded entropy, the recorded key exchange, every certificate accepted.</summary>
    public Net.Tls.TlsClient NewClient() =>
        DeviceClient.Create(Case, new HarnessEntropy(DeviceClient.DefaultSeed), null, null, new FixedKeyExchange(Case.Group, ClientShare, SharedSecret));
}
