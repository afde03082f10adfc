using System.Reflection;
using IoTStack.Boards;
using IoTStack.Drivers;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;

namespace IoTStack.Emulator.Memory;

/// <summary>
/// What a started board keeps on nanoCLR's heap: the board built on the desktop exactly as the firmware builds it
/// (FirmwareBoard.Create on a BoardNetwork, then Start), with a chip model standing in for the SPI bus, measured by
/// <see cref="NanoClrHeap"/> from the FirmwareBoard plus the statics of the portable assemblies. The chip model
/// and the wire behind it are not on the device and are left out; the device's own bus object is added by its
/// layout instead.
/// </summary>
public static class BoardHeap
{
    /// <summary>The assemblies an image deploys: wire formats, stack, services, drivers, boards, firmware.</summary>
    public static Assembly[] PortableAssemblies { get; } =
    {
        typeof(Net.Wire.IPv4Address).Assembly, typeof(NetStack).Assembly, typeof(Net.Services.NetServices).Assembly, typeof(ISpiBus).Assembly, typeof(BoardNetwork).Assembly,
        typeof(Firmware.Firmware).Assembly,
    };

    /// <summary>
    /// nanoFramework's bus adapter (firmware/IoTStack.Firmware.Esp32/NanoSpiBus.cs): an object of two fields (the
    /// SpiDevice and a <see cref="FullDuplexFrame"/>) and the frame's two buffers. The SpiDevice itself is
    /// nanoFramework's class and not counted.
    /// </summary>
    public static long NanoSpiBusBytes { get; } = 3 * NanoClrHeap.BlockSize + NanoClrHeap.Measure(new FullDuplexFrame()).TotalBytes;

    /// <summary>The ESP32 image as shipped (firmware/IoTStack.Firmware.Esp32/Program.cs): its profile and that profile's shipped settings.</summary>
    public static BoardHeapReport ShippedEsp32() => Shipped(BoardProfiles.Esp32DevKitCW5500);

    /// <summary>A profile's image as shipped: the board built from <see cref="BoardProfiles.ShippedSettings"/>, as the programs do.</summary>
    public static BoardHeapReport Shipped(BoardProfile profile)
    {
        var settings = BoardProfiles.ShippedSettings(profile);
        return Measure(profile, settings.StackOptions(), settings);
    }

    /// <summary>The TLS assemblies an image with MQTT over TLS deploys on top of <see cref="PortableAssemblies"/> (and the MQTT client's).</summary>
    public static Assembly[] TlsAssemblies { get; } =
    {
        typeof(Net.Mqtt.MqttClient).Assembly, typeof(Crypto.Sha256).Assembly, typeof(Crypto.PublicKey.P256).Assembly,
        typeof(Net.Tls.TlsClient).Assembly, typeof(Firmware.Tls.MqttTls).Assembly,
    };

    /// <summary>
    /// nanoFramework's ESP32 entropy source (firmware/IoTStack.Firmware.Esp32/Esp32Entropy.cs): an object of two fields, a
    /// System.Random (its native state a binary blob of a few bytes, counted as one block) and a 32-byte block.
    /// </summary>
    public static long Esp32EntropyBytes { get; } = 3 * NanoClrHeap.BlockSize + 2 * NanoClrHeap.BlockSize + NanoClrHeap.ArraySize(typeof(byte), 32);

    /// <summary>
    /// A profile's image as shipped, reporting to an MQTT broker over TLS (<c>mqtts://</c>, the broker by address) with
    /// <paramref name="trustAnchorsPem"/> as its anchors: the TLS client, its certificate validation and key exchanges,
    /// the MQTT client and their statics (the AES and curve tables) counted with the board.
    /// </summary>
    public static BoardHeapReport ShippedWithMqttTls(BoardProfile profile, byte[] trustAnchorsPem)
    {
        var settings = BoardProfiles.ShippedSettings(profile);
        settings.MqttBroker = new Net.Wire.IPv4Address(192, 0, 2, 1);
        settings.MqttPort = 8883;
        settings.MqttTls = true;
        settings.MqttTrustAnchors = trustAnchorsPem;
        var entropy = new SystemEntropy(); // no fields: the device's own source is counted by its layout instead
        return Measure(profile, settings.StackOptions(), settings, new Firmware.Tls.MqttTls(entropy, null), Esp32EntropyBytes);
    }

    /// <summary>Builds and starts <paramref name="profile"/>'s board with these options and settings, and measures it.</summary>
    public static BoardHeapReport Measure(BoardProfile profile, NetStackOptions options, BoardSettings settings) =>
        Measure(profile, options, settings, null, 0);

    private static BoardHeapReport Measure(BoardProfile profile, NetStackOptions options, BoardSettings settings, Firmware.IMqttTransportFactory? mqttTransport, long deviceExtraBytes)
    {
        var clock = new SystemClock(); // the image's clock, so the clock the stack holds is the device's
        var wire = new VirtualSwitch(new VirtualClock(0)).AddPort(profile.Mac);
        ChipModel chip = Board.Model(profile.Chip, wire, clock);
        Firmware.FirmwareBoard board = Firmware.FirmwareBoard.Create(profile.Chip, chip.Bus, profile.Mac, clock, options, settings, Firmware.FirmwareSettings.For(settings), mqttTransport)
            ?? throw new InvalidOperationException($"the {profile.Chip} model did not come up");
        if (!board.Start())
        {
            throw new InvalidOperationException("the firmware could not open its sockets");
        }

        Assembly[] assemblies = mqttTransport is null ? PortableAssemblies : PortableAssemblies.Concat(TlsAssemblies).ToArray();
        HeapMeasurement heap = new NanoClrHeap()
            .OnDevice(assemblies)
            .IncludeStatics(assemblies)
            .Exclude(chip.Bus) // the device's own bus adapter (NanoSpiBus) is counted by its layout instead
            .ExcludeTypes(typeof(SystemEntropy))
            .Of(board);
        GC.KeepAlive(chip);
        return new BoardHeapReport(heap, NanoSpiBusBytes, deviceExtraBytes);
    }

}

/// <summary>A board's heap: the runtime's graph and statics, and the device's SPI bus adapter (and entropy source, for TLS) beside it.</summary>
public sealed record BoardHeapReport(HeapMeasurement Runtime, long BusBytes, long EntropyBytes = 0)
{
    /// <summary>Everything the started image holds on the heap, the bus adapter included.</summary>
    public long TotalBytes => Runtime.TotalBytes + BusBytes + EntropyBytes;

    public string Format(int top = 25) =>
        $"{TotalBytes:N0} bytes in all: {Runtime.TotalBytes:N0} board runtime and statics, {BusBytes:N0} SPI bus adapter"
        + (EntropyBytes > 0 ? $", {EntropyBytes:N0} entropy source" : "") + "\n" + Runtime.Format(top);
}
