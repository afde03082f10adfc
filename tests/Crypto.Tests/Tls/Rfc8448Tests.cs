using System.Security.Cryptography;
using IoTStack.Crypto.Tests.Symmetric;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// RFC 8448 section 3 checked byte for byte below the engine: the RFC's ClientHello offers extensions this client does
/// not (session_ticket, psk_key_exchange_modes, ...) and an empty legacy_session_id, so its transcript cannot come from
/// <see cref="TlsClient"/>; the key schedule, transcript points and record protection the engine is made of take the
/// RFC's messages instead.
/// </summary>
public sealed class Rfc8448Tests
{
    private static readonly byte[] ClientHello = Hex.Bytes(Rfc8448.ClientHello);
    private static readonly byte[] ServerHello = Hex.Bytes(Rfc8448.ServerHelloRecord)[5..];

    private static TlsKeySchedule HandshakeSchedule()
    {
        var schedule = new TlsKeySchedule(new Hkdf(new Sha256()), new Sha256());
        schedule.Start();
        schedule.Handshake(Hex.Bytes(Rfc8448.SharedSecret), 0, 32, SHA256.HashData([.. ClientHello, .. ServerHello]));
        return schedule;
    }

    /// <summary>EncryptedExtensions, Certificate, CertificateVerify and Finished, from the server's encrypted flight.</summary>
    private static byte[] ServerFlight()
    {
        var schedule = HandshakeSchedule();
        var cipher = new TlsRecordCipher();
        cipher.SetKey(new SystemAead(false, 16), schedule, schedule.ServerSecret);
        byte[] record = Hex.Bytes(Rfc8448.ServerFlightRecord);
        Assert.True(cipher.Open(record, 0, record.Length - 5) >= 0);
        Assert.Equal(22, record[^17]); // TLSInnerPlaintext.type handshake, no padding
        return record[5..^17];
    }

    private static (byte[] CertificateVerifyEnd, byte[] ServerFinishedEnd) TranscriptPrefixes(byte[] flight)
    {
        int finished = flight.Length - 36;
        return ([.. ClientHello, .. ServerHello, .. flight[..finished]], [.. ClientHello, .. ServerHello, .. flight]);
    }

    [Fact]
    public void Handshake_traffic_secrets_match_rfc8448()
    {
        var schedule = HandshakeSchedule();

        Assert.Equal(Hex.Bytes(Rfc8448.ClientHandshakeTrafficSecret), schedule.ClientSecret);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerHandshakeTrafficSecret), schedule.ServerSecret);
    }

    [Fact]
    public void Traffic_keys_and_ivs_match_rfc8448()
    {
        var schedule = HandshakeSchedule();
        byte[] key = new byte[16];
        byte[] iv = new byte[12];

        schedule.TrafficKeys(schedule.ServerSecret, key, 16, iv, 12);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerHandshakeKey), key);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerHandshakeIv), iv);
        schedule.TrafficKeys(schedule.ClientSecret, key, 16, iv, 12);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientHandshakeKey), key);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientHandshakeIv), iv);

        schedule.Application(SHA256.HashData(TranscriptPrefixes(ServerFlight()).ServerFinishedEnd));
        schedule.TrafficKeys(schedule.ServerSecret, key, 16, iv, 12);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerApplicationKey), key);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerApplicationIv), iv);
        schedule.TrafficKeys(schedule.ClientSecret, key, 16, iv, 12);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientApplicationKey), key);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientApplicationIv), iv);
    }

    [Fact]
    public void Server_flight_decrypts_to_the_rfc_messages()
    {
        byte[] flight = ServerFlight();

        Assert.Equal(40 + 445 + 136 + 36, flight.Length);
        Assert.Equal(Hex.Bytes(Rfc8448.EncryptedExtensions), flight[..40]);
        Assert.Equal(Hex.Bytes(Rfc8448.CertificateVerifyStart), flight[485..496]);
        Assert.Equal(Hex.Bytes("14 00 00 20 " + Rfc8448.ServerFinishedVerifyData), flight[^36..]);
    }

    [Fact]
    public void Finished_verify_data_both_ways_match_rfc8448()
    {
        var schedule = HandshakeSchedule();
        var (beforeFinished, throughFinished) = TranscriptPrefixes(ServerFlight());
        byte[] mac = new byte[32];

        schedule.FinishedMac(schedule.ServerSecret, SHA256.HashData(beforeFinished), mac, 0);
        Assert.Equal(Hex.Bytes(Rfc8448.ServerFinishedVerifyData), mac);
        schedule.FinishedMac(schedule.ClientSecret, SHA256.HashData(throughFinished), mac, 0);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientFinishedVerifyData), mac);
    }

    [Fact]
    public void Transcript_points_hash_each_prefix_of_the_handshake()
    {
        byte[] flight = ServerFlight();
        var transcript = new TlsTranscript([new Sha256(), new Sha256(), new Sha256(), new Sha256(), new Sha256()]);
        byte[] point = new byte[32];

        transcript.Restart();
        transcript.Update(ClientHello, 0, ClientHello.Length);
        transcript.Update(ServerHello, 0, ServerHello.Length);
        Assert.True(transcript.Take(point, 0));
        Assert.Equal(SHA256.HashData([.. ClientHello, .. ServerHello]), point);
        transcript.Update(flight, 0, flight.Length - 36);
        Assert.True(transcript.Take(point, 0));
        Assert.Equal(SHA256.HashData(TranscriptPrefixes(flight).CertificateVerifyEnd), point);
        transcript.Update(flight, flight.Length - 36, 36);
        Assert.True(transcript.Take(point, 0));
        Assert.Equal(SHA256.HashData(TranscriptPrefixes(flight).ServerFinishedEnd), point);
    }

    [Fact]
    public void Client_finished_record_matches_rfc8448_byte_for_byte()
    {
        var schedule = HandshakeSchedule();
        var (_, throughFinished) = TranscriptPrefixes(ServerFlight());
        var cipher = new TlsRecordCipher();
        cipher.SetKey(new SystemAead(false, 16), schedule, schedule.ClientSecret);
        byte[] record = new byte[5 + 36 + 1 + 16];
        record[5] = 20;
        record[8] = 32;
        schedule.FinishedMac(schedule.ClientSecret, SHA256.HashData(throughFinished), record, 9);
        record[41] = 22;

        int length = cipher.Seal(record, 0, 22, 36);

        Assert.Equal(record.Length, length);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientFinishedRecord), record);
    }

    [Fact]
    public void Application_data_and_close_notify_records_match_rfc8448_byte_for_byte()
    {
        var schedule = HandshakeSchedule();
        schedule.Application(SHA256.HashData(TranscriptPrefixes(ServerFlight()).ServerFinishedEnd));
        var write = new TlsRecordCipher();
        write.SetKey(new SystemAead(false, 16), schedule, schedule.ClientSecret);
        var read = new TlsRecordCipher();
        read.SetKey(new SystemAead(false, 16), schedule, schedule.ServerSecret);
        byte[] payload = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray();

        byte[] clientRecord = new byte[5 + 50 + 1 + 16];
        payload.CopyTo(clientRecord, 5);
        clientRecord[55] = 23;
        write.Seal(clientRecord, 0, 23, 50);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientApplicationRecord), clientRecord);

        byte[] ticket = Hex.Bytes(Rfc8448.NewSessionTicketRecord);
        Assert.True(read.Open(ticket, 0, ticket.Length - 5) >= 0);
        Assert.Equal(22, ticket[^17]);
        byte[] serverRecord = Hex.Bytes(Rfc8448.ServerApplicationRecord);
        Assert.True(read.Open(serverRecord, 0, serverRecord.Length - 5) >= 0);
        Assert.Equal([.. payload, 23], serverRecord[5..^16]);

        byte[] close = new byte[5 + 2 + 1 + 16];
        close[5] = 1;
        close[7] = 21;
        write.Seal(close, 0, 21, 2);
        Assert.Equal(Hex.Bytes(Rfc8448.ClientCloseNotifyRecord), close);
        byte[] serverClose = Hex.Bytes(Rfc8448.ServerCloseNotifyRecord);
        Assert.True(read.Open(serverClose, 0, serverClose.Length - 5) >= 0);
        Assert.Equal(new byte[] { 1, 0, 21 }, serverClose[5..8]);
    }

    [Fact]
    public void A_record_with_one_bit_flipped_fails_authentication()
    {
        var schedule = HandshakeSchedule();
        var cipher = new TlsRecordCipher();
        cipher.SetKey(new SystemAead(false, 16), schedule, schedule.ServerSecret);
        byte[] record = Hex.Bytes(Rfc8448.ServerFlightRecord);
        record[100] ^= 0x04;

        Assert.True(cipher.Open(record, 0, record.Length - 5) < 0);
    }
}
