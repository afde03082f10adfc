using System.Device.Gpio;

namespace IoTStack.Boards.Linux;

/// <summary>
/// The chip's INT and RESET lines on the GPIO character device. INT (active low on both chips) lets the loop
/// sleep until the chip has something instead of polling its registers; RESET gives a hard reset at start.
/// </summary>
public sealed class LinuxBoardPins : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _interrupt;
    private readonly int _reset;

    public LinuxBoardPins(GpioController gpio, BoardProfile profile)
    {
        _gpio = gpio;
        _interrupt = profile.InterruptPin;
        _reset = profile.ResetPin;
        if (_interrupt >= 0)
        {
            _gpio.OpenPin(_interrupt, PinMode.InputPullUp);
        }

        if (_reset >= 0)
        {
            _gpio.OpenPin(_reset, PinMode.Output, PinValue.High);
        }
    }

    /// <summary>Whether the chip is asking for attention (INT low); true when INT is not wired, so the caller polls.</summary>
    public bool InterruptAsserted => _interrupt < 0 || _gpio.Read(_interrupt) == PinValue.Low;

    /// <summary>Waits up to <paramref name="timeout"/> for INT to fall; returns at once when it is already low or not wired.</summary>
    public void WaitForInterrupt(TimeSpan timeout)
    {
        if (InterruptAsserted)
        {
            return;
        }

        _gpio.WaitForEvent(_interrupt, PinEventTypes.Falling, timeout);
    }

    /// <summary>
    /// Holds RESET low, then waits for the chip: ENC28J60 DS39662E section 11.2 (low at least 2 us, then the
    /// oscillator start-up timer, CLKRDY); W5500 1.0.9 section 5.5.1 (low at least 500 us, then 1 ms for the PLL).
    /// </summary>
    public void HardReset()
    {
        if (_reset < 0)
        {
            return;
        }

        _gpio.Write(_reset, PinValue.Low);
        Thread.Sleep(1);
        _gpio.Write(_reset, PinValue.High);
        Thread.Sleep(2);
    }

    public void Dispose()
    {
        if (_interrupt >= 0)
        {
            _gpio.ClosePin(_interrupt);
        }

        if (_reset >= 0)
        {
            _gpio.ClosePin(_reset);
        }
    }
}
