using IoTStack.Boards;
using IoTStack.Emulator.Memory;
using Xunit.Abstractions;

namespace IoTStack.Stack.Tests;

/// <summary>
/// Every shipped configuration (each board profile started from its shipped settings, as its program does) on
/// nanoCLR's heap by the layout rules of <see cref="NanoClrHeap"/>, statics included: it must leave at least 20%
/// of the board's managed heap for the application and transient use (issue 14).
/// </summary>
public class BoardHeapBudgetTests(ITestOutputHelper output)
{
    /// <summary>Share of the board's heap a shipped image may keep after start.</summary>
    public const double MostOfHeap = 0.80;

    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string>();
        foreach (var profile in BoardProfiles.All)
        {
            data.Add(profile.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_shipped_configuration_leaves_a_fifth_of_the_boards_heap_free(string name)
    {
        var profile = BoardProfiles.Find(name)!;
        var settings = BoardProfiles.ShippedSettings(profile);
        var report = BoardHeap.Shipped(profile);
        var options = settings.StackOptions();
        string budget = $"{name}: {report.TotalBytes:N0} bytes on nanoCLR's heap after start ({options.TcpConnections} TCP connections "
            + $"of {options.ReceiveBufferSize}+{options.TransmitBufferSize} B, {options.TcpListeners} listeners, {options.UdpSockets} UDP sockets, "
            + $"{settings.Sessions} sessions{(settings.WantsServices ? ", DHCP, DNS, mDNS, SNTP" : "")})";
        if (profile.HeapBytes == 0)
        {
            output.WriteLine(budget + "; the emulator's own board, on the desktop: no heap to fit");
            return;
        }

        long allowed = (long)(profile.HeapBytes * MostOfHeap);
        output.WriteLine($"{budget} of a {profile.HeapBytes:N0}-byte heap: {100.0 * report.TotalBytes / profile.HeapBytes:0.0}% used, "
            + $"{profile.HeapBytes - report.TotalBytes:N0} free");
        output.WriteLine(report.Format(12));
        Assert.True(report.TotalBytes <= allowed, $"{name} keeps {report.TotalBytes:N0} bytes, over {allowed:N0} (80% of its {profile.HeapBytes:N0}-byte heap)");
    }

    /// <summary>
    /// MQTT over TLS on each device profile's shipped image (issue 18): the TLS client (records of 4096 bytes, or 2048
    /// with small tables, and the 8 KB handshake buffer), certificate validation with RSA up to 4096 bits, P-256 and
    /// P-384, X25519 and P-256 key exchange, the MQTT client, and the statics of the assemblies they bring (the AES and
    /// curve tables). Reported per board; a board where it does not fit in 80% of the heap is named, not failed: MQTT
    /// over TLS is an option the shipped images do not turn on.
    /// </summary>
    [Theory]
    [MemberData(nameof(Profiles))]
    public void Mqtt_over_tls_on_each_board_is_measured(string name)
    {
        var profile = BoardProfiles.Find(name)!;
        if (profile.HeapBytes == 0)
        {
            return;
        }

        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=heap test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        byte[] pem = System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem());
        var plain = BoardHeap.Shipped(profile);
        var report = BoardHeap.ShippedWithMqttTls(profile, pem);
        long allowed = (long)(profile.HeapBytes * MostOfHeap);
        output.WriteLine($"{name}: with MQTT over TLS {report.TotalBytes:N0} bytes on nanoCLR's heap after start, {report.TotalBytes - plain.TotalBytes:N0} more than "
            + $"without ({plain.TotalBytes:N0}), of a {profile.HeapBytes:N0}-byte heap: {100.0 * report.TotalBytes / profile.HeapBytes:0.0}% used; "
            + (report.TotalBytes <= allowed ? "fits in 80%" : $"DOES NOT fit in 80% ({allowed:N0})"));
        output.WriteLine(report.Format(20));
        Assert.True(report.TotalBytes > plain.TotalBytes);
    }

    [Fact]
    public void A_plain_esp32_runs_every_service_with_at_least_four_tcp_connections()
    {
        var profile = BoardProfiles.Esp32DevKitCW5500;
        var settings = BoardProfiles.ShippedSettings(profile);
        Assert.Equal(BoardProfiles.PlainEsp32HeapBytes, profile.HeapBytes);
        Assert.True(settings.Dhcp && settings.HostName is not null, "DHCP and a name (mDNS)");
        Assert.True(settings.StackOptions().TcpConnections >= 4);
        Assert.Equal(2 + 1 + 1, settings.ServiceSockets); // DNS and SNTP, mDNS, DHCP
    }
}
