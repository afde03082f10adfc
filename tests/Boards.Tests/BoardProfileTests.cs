namespace IoTStack.Boards.Tests;

/// <summary>The board profiles: each one wired sensibly for its chip.</summary>
public class BoardProfileTests
{
    public static TheoryData<string> Names => new(BoardProfiles.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void A_profile_is_found_by_name_and_wired_within_its_chips_limits(string name)
    {
        var profile = BoardProfiles.Find(name)!;
        Assert.Equal(profile.Description, BoardProfiles.All.Single(p => p.Name == name).Description);
        Assert.InRange(profile.ClockHz, 1_000_000, profile.ChipMaximumClockHz);
        Assert.Equal(0, profile.SpiMode);
        Assert.False(profile.Mac.IsMulticast);
        Assert.StartsWith("02:", profile.Mac.ToString()); // locally administered
        var pins = new[] { profile.ChipSelectPin, profile.InterruptPin, profile.ResetPin, profile.MosiPin, profile.MisoPin, profile.ClockPin }.Where(p => p >= 0).ToArray();
        if (name.StartsWith("rpi-", StringComparison.Ordinal))
        {
            pins = pins.Skip(1).ToArray(); // the chip-select there is spidev's line number, not a GPIO
        }

        Assert.Equal(pins.Length, pins.Distinct().Count());
        if (name.StartsWith("esp32", StringComparison.Ordinal))
        {
            Assert.Equal(6, pins.Length); // every signal placed on an ESP32 pin
        }
    }

    [Fact]
    public void A_board_id_makes_a_unique_locally_administered_mac()
    {
        var profile = BoardProfiles.Esp32DevKitCW5500;
        var mac = profile.MacFor([0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56]);
        Assert.Equal("02:0a:c4:12:34:56", mac.ToString().ToLowerInvariant());
        Assert.Equal(profile.Mac, profile.MacFor(null!));
        Assert.Null(BoardProfiles.Find("esp8266"));
    }
}
