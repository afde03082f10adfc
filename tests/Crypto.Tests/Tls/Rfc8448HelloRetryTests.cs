using System.Security.Cryptography;
using System.Text;
using IoTStack.Crypto.PublicKey;
using IoTStack.Crypto.Tests.Symmetric;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// RFC 8448 section 5 (HelloRetryRequest) checked byte for byte below the engine, as <see cref="Rfc8448Tests"/> does section
/// 3: the client's shares from its private keys through the device X25519 and P-256, the P-256 shared secret, the
/// transcript with ClientHello1 replaced by message_hash (RFC 8446 section 4.4.1) through <see cref="TlsTranscript"/> as
/// the client drives it, the server's flight opened and its Finished checked, and the client's Finished and both
/// close_notify records sealed and opened. <see cref="TlsClient"/> itself cannot send the RFC's ClientHellos, whatever it
/// is configured with: both have an empty legacy_session_id (the client always sends 32 random bytes, RFC 8446 appendix
/// D.4), offer TLS_AES_256_GCM_SHA384 (0x1302, not implemented), secp384r1 in supported_groups (the client lists only the
/// groups it has key exchanges for), fifteen signature schemes (the client offers seven, no SHA-1 or PKCS#1 v1.5 with
/// SHA-512), renegotiation_info and psk_key_exchange_modes (the client sends neither), and the second one a padding
/// extension (RFC 7685) of 175 bytes. Its cookie echo, key_share and record_size_limit (16385 with RecordSize 16384) would match.
/// </summary>
public sealed class Rfc8448HelloRetryTests
{
    private static readonly byte[] ClientHello1 = Hex.Bytes(Rfc8448HelloRetry.ClientHello1Record)[5..];
    private static readonly byte[] HelloRetryRequest = Hex.Bytes(Rfc8448HelloRetry.HelloRetryRequestRecord)[5..];
    private static readonly byte[] ClientHello2 = Hex.Bytes(Rfc8448HelloRetry.ClientHello2Record)[5..];
    private static readonly byte[] ServerHello = Hex.Bytes(Rfc8448HelloRetry.ServerHelloRecord)[5..];

    private static byte[] SharedSecret()
    {
        byte[] share = ShareIn(ServerHello, 0x17, 65);
        byte[] shared = new byte[32];
        Assert.True(new P256().ComputeSharedSecret(Hex.Bytes(Rfc8448HelloRetry.ClientP256PrivateKey), 0, share, 0, share.Length, shared, 0));
        return shared;
    }

    /// <summary>The key_share entry of <paramref name="group"/> in a hello: 00 33 .., group, length, the share.</summary>
    private static byte[] ShareIn(byte[] hello, int group, int length)
    {
        int at = hello.AsSpan().IndexOf(new byte[] { 0, (byte)group, 0, (byte)length });
        Assert.True(at > 0);
        return hello[(at + 4)..(at + 4 + length)];
    }

    /// <summary>message_hash(ClientHello1) || HelloRetryRequest || ClientHello2 || ServerHello (RFC 8446 section 4.4.1).</summary>
    private static byte[] TranscriptThroughServerHello() =>
        [0xFE, 0, 0, 32, .. SHA256.HashData(ClientHello1), .. HelloRetryRequest, .. ClientHello2, .. ServerHello];

    private static TlsKeySchedule HandshakeSchedule()
    {
        var schedule = new TlsKeySchedule(new Hkdf(new Sha256()), new Sha256());
        schedule.Start();
        schedule.Handshake(SharedSecret(), 0, 32, SHA256.HashData(TranscriptThroughServerHello()));
        return schedule;
    }

    private static byte[] ServerFlight()
    {
        var schedule = HandshakeSchedule();
        var cipher = new TlsRecordCipher();
        cipher.SetKey(new SystemAead(false, 16), schedule, schedule.ServerSecret);
        byte[] record = Hex.Bytes(Rfc8448HelloRetry.ServerFlightRecord);
        Assert.True(cipher.Open(record, 0, record.Length - 5) >= 0);
        Assert.Equal(22, record[^17]);
        return record[5..^17];
    }

    [Fact]
    public void The_rfc_messages_are_what_section_5_describes()
    {
        Assert.Equal(0x200 + 5, Hex.Bytes(Rfc8448HelloRetry.ClientHello2Record).Length);
        Assert.Equal(2, HelloRetryRequest[0]);
        // RFC 8446 section 4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("HelloRetryRequest")), HelloRetryRequest[6..38]);
        Assert.Equal(ClientHello1[6..38], ClientHello2[6..38]); // the same random in both ClientHellos (section 4.1.2)
    }

    [Fact]
    public void The_client_shares_follow_from_its_private_keys_on_the_device_curves()
    {
        byte[] x25519 = new byte[32];
        new X25519().ComputePublicKey(Hex.Bytes(Rfc8448HelloRetry.ClientX25519PrivateKey), 0, x25519, 0);
        Assert.Equal(ShareIn(ClientHello1, 0x1D, 32), x25519);

        byte[] p256 = new byte[65];
        Assert.True(new P256().ComputePublicKey(Hex.Bytes(Rfc8448HelloRetry.ClientP256PrivateKey), 0, p256, 0));
        Assert.Equal(ShareIn(ClientHello2, 0x17, 65), p256);
    }

    [Fact]
    public void The_transcript_replaces_client_hello_1_with_its_message_hash_as_the_client_does()
    {
        var transcript = new TlsTranscript([new Sha256(), new Sha256(), new Sha256(), new Sha256(), new Sha256()]);
        byte[] messageHash = new byte[36];
        byte[] point = new byte[32];

        transcript.Restart();
        transcript.Update(ClientHello1, 0, ClientHello1.Length);
        messageHash[0] = 0xFE;
        messageHash[3] = 32;
        Assert.True(transcript.Take(messageHash, 4));
        transcript.Restart();
        transcript.Update(messageHash, 0, messageHash.Length);
        transcript.Update(HelloRetryRequest, 0, HelloRetryRequest.Length);
        transcript.Update(ClientHello2, 0, ClientHello2.Length);
        transcript.Update(ServerHello, 0, ServerHello.Length);
        Assert.True(transcript.Take(point, 0));

        Assert.Equal(SHA256.HashData(TranscriptThroughServerHello()), point);
    }

    [Fact]
    public void The_server_flight_opens_and_its_finished_matches_the_transcript()
    {
        byte[] flight = ServerFlight();
        var schedule = HandshakeSchedule();
        byte[] mac = new byte[32];

        Assert.Equal(new byte[] { 8, 0, 0 }, flight[..3]); // EncryptedExtensions first
        Assert.Equal(new byte[] { 20, 0, 0, 32 }, flight[^36..^32]);
        schedule.FinishedMac(schedule.ServerSecret, SHA256.HashData([.. TranscriptThroughServerHello(), .. flight[..^36]]), mac, 0);
        Assert.Equal(flight[^32..], mac);
    }

    [Fact]
    public void Client_finished_and_close_notify_records_match_rfc8448_byte_for_byte()
    {
        var schedule = HandshakeSchedule();
        byte[] throughFinished = [.. TranscriptThroughServerHello(), .. ServerFlight()];
        var handshakeWrite = new TlsRecordCipher();
        handshakeWrite.SetKey(new SystemAead(false, 16), schedule, schedule.ClientSecret);
        byte[] finished = new byte[5 + 36 + 1 + 16];
        finished[5] = 20;
        finished[8] = 32;
        schedule.FinishedMac(schedule.ClientSecret, SHA256.HashData(throughFinished), finished, 9);
        finished[41] = 22;
        handshakeWrite.Seal(finished, 0, 22, 36);
        Assert.Equal(Hex.Bytes(Rfc8448HelloRetry.ClientFinishedRecord), finished);

        schedule.Application(SHA256.HashData(throughFinished));
        var write = new TlsRecordCipher();
        write.SetKey(new SystemAead(false, 16), schedule, schedule.ClientSecret);
        var read = new TlsRecordCipher();
        read.SetKey(new SystemAead(false, 16), schedule, schedule.ServerSecret);
        byte[] close = new byte[5 + 2 + 1 + 16];
        close[5] = 1;
        close[7] = 21;
        write.Seal(close, 0, 21, 2);
        Assert.Equal(Hex.Bytes(Rfc8448HelloRetry.ClientCloseNotifyRecord), close);
        byte[] serverClose = Hex.Bytes(Rfc8448HelloRetry.ServerCloseNotifyRecord);
        Assert.True(read.Open(serverClose, 0, serverClose.Length - 5) >= 0);
        Assert.Equal(new byte[] { 1, 0, 21 }, serverClose[5..8]);
    }
}
