using System.Device.Gpio;

namespace IoTStack.Boards.Linux;

/// <summary>
/// The chip's INT and RESET lines on the GPIO character device. INT (active low on both chips) lets the loop
/// sleep until the chip has something instead of polling its registers; RESET gives a hard reset at start.
/// </summary>
public sealed class LinuxBoardPins : IDisposable
{
    /// <summary>How often a board without INT wired looks for frames; timers keep their own deadlines.</summary>
    public const int ReceivePollIntervalMs = 1;

    private readonly GpioController _gpio;
    private readonly int _interrupt;
    private readonly int _reset;

    /// <summary>Set by every falling edge of INT, from the moment the pin is opened: an edge between the level read and the wait is kept.</summary>
    private readonly AutoResetEvent _fell = new(false);

    public LinuxBoardPins(GpioController gpio, BoardProfile profile)
    {
        _gpio = gpio;
        _interrupt = profile.InterruptPin;
        _reset = profile.ResetPin;
        if (_interrupt >= 0)
        {
            _gpio.OpenPin(_interrupt, PinMode.InputPullUp);
            _gpio.RegisterCallbackForPinValueChangedEvent(_interrupt, PinEventTypes.Falling, OnFalling);
        }

        if (_reset >= 0)
        {
            _gpio.OpenPin(_reset, PinMode.Output, PinValue.High);
        }
    }

    /// <summary>Whether the chip is asking for attention (INT low); true when INT is not wired, so the caller polls.</summary>
    public bool InterruptAsserted => _interrupt < 0 || _gpio.Read(_interrupt) == PinValue.Low;

    /// <summary>
    /// Sleeps up to <paramref name="delayMs"/> (the board's PollDelay) or until INT falls. Without INT wired, at most
    /// <see cref="ReceivePollIntervalMs"/>: frames have no deadline. With INT already low though the poll found nothing to
    /// do (a source no driver clears), also at most that, so the loop does not spin.
    /// </summary>
    public void WaitForInterrupt(int delayMs)
    {
        if (delayMs <= 0)
        {
            return;
        }

        if (InterruptAsserted)
        {
            Thread.Sleep(Math.Min(delayMs, ReceivePollIntervalMs));
            return;
        }

        _fell.WaitOne(delayMs);
    }

    private void OnFalling(object sender, PinValueChangedEventArgs e) => _fell.Set();

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
            _gpio.UnregisterCallbackForPinValueChangedEvent(_interrupt, OnFalling);
            _gpio.ClosePin(_interrupt);
        }

        _fell.Dispose();

        if (_reset >= 0)
        {
            _gpio.ClosePin(_reset);
        }
    }
}
