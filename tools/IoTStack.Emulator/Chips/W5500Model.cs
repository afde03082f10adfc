using IoTStack.Drivers;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.W5500.W5500Registers;

namespace IoTStack.Emulator.Chips;

/// <summary>
/// A register-level model of the WIZnet W5500 (datasheet v1.0.9) behind its SPI frame: the common and
/// socket register blocks, the per-socket transmit and receive buffers with free-running 16-bit pointers,
/// socket commands, interrupt bits, PHYCFGR, and MACRAW mode on socket 0 with MAC filtering. (The chip's
/// own TCP/IP engine for hardware-socket mode is played by an instance of IoTStack's software stack on the
/// chip's wire, see <see cref="W5500SocketMode"/>; it needs a clock, given to the second constructor.)
/// </summary>
public sealed class W5500Model : ChipModel
{
    private const int SocketCount = 8;
    private const int SocketRegisterSize = 0x30;

    private readonly byte[] _common = new byte[0x40];
    private readonly byte[][] _socket = new byte[SocketCount][];
    private readonly byte[][] _transmit = new byte[SocketCount][];
    private readonly byte[][] _receive = new byte[SocketCount][];
    private readonly IFrameDevice _wire;
    private readonly byte[] _frame = new byte[1600];

    private readonly W5500SocketMode? _socketMode;

    /// <summary>Socket 0's Sn_MR as OPEN found it: MACRAW's filter bits act from OPEN (datasheet 1.0.9 section 4.2, Sn_CR OPEN).</summary>
    private int _macRawMode;

    /// <summary>A chip for MACRAW only.</summary>
    public W5500Model(IFrameDevice wire)
        : this(wire, null)
    {
    }

    /// <summary>A chip whose hardware sockets (TCP, UDP) work too, their TCP/IP engine running on <paramref name="clock"/>.</summary>
    public W5500Model(IFrameDevice wire, IClock? clock)
        : base("W5500")
    {
        _wire = wire;
        if (clock is not null)
        {
            _socketMode = new W5500SocketMode(wire, clock, this);
        }

        for (int s = 0; s < SocketCount; s++)
        {
            _socket[s] = new byte[SocketRegisterSize];
        }

        Reset();
    }

    public bool LinkUp { get; set; } = true;

    /// <summary>Fault: socket commands are never taken (Sn_CR keeps its value).</summary>
    public bool CommandsHang { get; set; }

    public long FramesDropped { get; private set; }

    /// <summary>
    /// Datasheet 1.0.9 sections 4.1 (IR, IMR, SIR, SIMR) and 4.2 (Sn_IR, Sn_IMR): INTn is low while a socket has a bit of
    /// Sn_IR set that its Sn_IMR lets through and its SIMR bit is set, or a bit of IR is set with its IMR bit. SIR itself
    /// reports every socket with any Sn_IR bit, masked or not, which is what a polling driver reads.
    /// </summary>
    public override bool InterruptAsserted
    {
        get
        {
            RunChip();
            int sockets = _common[R.SIMR];
            for (int s = 0; s < SocketCount; s++)
            {
                if (((sockets >> s) & 1) != 0 && (_socket[s][R.SnIR] & _socket[s][R.SnIMR]) != 0)
                {
                    return true;
                }
            }

            return (_common[R.IR] & _common[R.IMR]) != 0;
        }
    }

    /// <summary>Power-on, MR.RST or a self-reset: registers to their reset values, sockets closed.</summary>
    public void Reset()
    {
        Array.Clear(_common);
        _common[R.RTR] = 0x07;
        _common[R.RTR + 1] = 0xD0;
        _common[0x1B] = 0x08; // RCR
        _common[R.PHYCFGR] = 0xB8;
        _common[R.VERSIONR] = R.ChipVersion;
        for (int s = 0; s < SocketCount; s++)
        {
            Array.Clear(_socket[s]);
            _socket[s][R.SnRXBUFSIZE] = 2;
            _socket[s][R.SnTXBUFSIZE] = 2;
            _socket[s][R.SnIMR] = 0xFF;
            _socket[s][0x16] = 0x80; // Sn_TTL
            Set16(s, R.SnTXFSR, 2048);
            _transmit[s] = new byte[2048];
            _receive[s] = new byte[2048];
        }
    }

    /// <summary>Datasheet 1.0.9 section 2.2: a 16-bit offset, then the control byte whose bit 2 (RWB) is 1 for a write.</summary>
    protected override int HeaderLength(byte[] frame, int length, out SpiDataDirection direction)
    {
        direction = length >= 3 && (frame[2] & 0x04) != 0 ? SpiDataDirection.Write : SpiDataDirection.Read;
        return Math.Min(3, length);
    }

    protected override void Answer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        Expect(headerLength == 3, "a W5500 frame has a 3-byte header (offset, control)");
        int address = (header[headerOffset] << 8) | header[headerOffset + 1];
        int control = header[headerOffset + 2];
        int block = control >> 3;
        bool write = (control & R.ControlWrite) != 0;
        Expect((control & 0x03) == 0 || dataLength == ((control & 0x03) == 3 ? 4 : control & 0x03), "fixed-length mode with the wrong data length");
        Expect(write == (direction == SpiDataDirection.Write), "the RWB bit disagrees with the data phase");
        RunChip();
        for (int i = 0; i < dataLength; i++)
        {
            int at = (address + i) & 0xFFFF;
            if (write)
            {
                WriteByte(block, at, data[dataOffset + i]);
            }
            else
            {
                data[dataOffset + i] = ReadByte(block, at);
            }
        }
    }

    /// <summary>What the chip did while nobody looked: frames from the wire into MACRAW, or its TCP/IP engine's work.</summary>
    private void RunChip()
    {
        if (_socketMode is null)
        {
            TakeFromWire();
        }
        else
        {
            _socketMode.Configure(IPv4Address.Read(_common, 0x000F), IPv4Address.Read(_common, 0x0005), IPv4Address.Read(_common, 0x0001));
            _socketMode.Sync();
        }
    }

    private byte ReadByte(int block, int address)
    {
        if (block == R.CommonBlock)
        {
            Expect(address < _common.Length, $"common register 0x{address:x4} does not exist");
            if (address == R.SIR)
            {
                int pending = 0;
                for (int s = 0; s < SocketCount; s++)
                {
                    pending |= _socket[s][R.SnIR] != 0 ? 1 << s : 0;
                }

                return (byte)pending; // one bit per socket with an interrupt pending
            }

            if (address == R.PHYCFGR)
            {
                return (byte)((_common[R.PHYCFGR] & 0xF8) | (LinkUp ? 0x07 : 0x00));
            }

            return address < _common.Length ? _common[address] : (byte)0;
        }

        int socket = (block - 1) / 4;
        Expect(socket < SocketCount, $"block {block} does not exist");
        switch ((block - 1) % 4)
        {
            case 0:
                Expect(address < SocketRegisterSize, $"socket register 0x{address:x2} does not exist");
                return address < SocketRegisterSize ? _socket[socket][address] : (byte)0;
            case 1:
                return _transmit[socket].Length == 0 ? (byte)0 : _transmit[socket][address & (_transmit[socket].Length - 1)];
            case 2:
                return _receive[socket].Length == 0 ? (byte)0 : _receive[socket][address & (_receive[socket].Length - 1)];
            default:
                Expect(false, $"block {block} is reserved");
                return 0;
        }
    }

    private void WriteByte(int block, int address, byte value)
    {
        if (block == R.CommonBlock)
        {
            Expect(address != R.VERSIONR, "VERSIONR is read-only");
            if (address == R.MR && (value & R.ModeReset) != 0)
            {
                Reset(); // MR.RST clears itself
                return;
            }

            if (address < _common.Length && address != R.VERSIONR)
            {
                _common[address] = value;
            }

            return;
        }

        int socket = (block - 1) / 4;
        switch ((block - 1) % 4)
        {
            case 0:
                WriteSocketRegister(socket, address, value);
                return;
            case 1:
                if (_transmit[socket].Length > 0)
                {
                    _transmit[socket][address & (_transmit[socket].Length - 1)] = value;
                }

                return;
            default:
                Expect(false, $"block {block} cannot be written");
                return;
        }
    }

    private void WriteSocketRegister(int socket, int address, byte value)
    {
        byte[] registers = _socket[socket];
        Expect(address != R.SnSR && address != R.SnTXFSR && address != R.SnTXFSR + 1 && address != R.SnTXRD && address != R.SnTXRD + 1
            && address != R.SnRXRSR && address != R.SnRXRSR + 1 && address != R.SnRXWR && address != R.SnRXWR + 1,
            $"socket {socket} register 0x{address:x2} is read-only");
        switch (address)
        {
            case R.SnCR:
                registers[R.SnCR] = value;
                if (!CommandsHang)
                {
                    Execute(socket, value);
                    registers[R.SnCR] = 0;
                }

                return;
            case R.SnIR:
                registers[R.SnIR] &= (byte)~value; // write 1 to clear
                return;
            case R.SnRXBUFSIZE:
            case R.SnTXBUFSIZE:
                Expect(value is 0 or 1 or 2 or 4 or 8 or 16, $"socket {socket} buffer size {value} KB is not 0, 1, 2, 4, 8 or 16");
                registers[address] = value;
                if (address == R.SnRXBUFSIZE)
                {
                    _receive[socket] = new byte[value * 1024];
                }
                else
                {
                    _transmit[socket] = new byte[value * 1024];
                    Set16(socket, R.SnTXFSR, value * 1024);
                }

                return;
        }

        if (address < SocketRegisterSize)
        {
            registers[address] = value;
        }
    }

    private int TotalKilobytes(int sizeRegister)
    {
        int total = 0;
        for (int s = 0; s < SocketCount; s++)
        {
            total += _socket[s][sizeRegister];
        }

        return total;
    }

    private void Execute(int socket, int command)
    {
        byte[] registers = _socket[socket];
        switch (command)
        {
            case R.CommandOpen when (registers[R.SnMR] & 0x0F) is R.ModeTcp or R.ModeUdp:
                Expect(_socketMode is not null, "hardware sockets need the model built with a clock");
                Expect(TotalKilobytes(R.SnRXBUFSIZE) <= 16 && TotalKilobytes(R.SnTXBUFSIZE) <= 16, "the sockets' buffers exceed 16 KB in one direction");
                Set16(socket, R.SnTXRD, 0);
                Set16(socket, R.SnTXWR, 0);
                Set16(socket, R.SnRXRD, 0);
                Set16(socket, R.SnRXWR, 0);
                Set16(socket, R.SnRXRSR, 0);
                Set16(socket, R.SnTXFSR, _transmit[socket].Length);
                _socketMode?.Execute(socket, command, registers[R.SnMR]);
                return;
            case R.CommandListen or R.CommandConnect or R.CommandDisconnect or R.CommandSend or R.CommandClose
                when _socketMode is not null && registers[R.SnSR] != R.StatusMacRaw:
                Expect(command != R.CommandListen || registers[R.SnSR] == R.StatusInit, $"LISTEN on socket {socket} in state 0x{registers[R.SnSR]:x2}");
                Expect(command != R.CommandConnect || registers[R.SnSR] == R.StatusInit, $"CONNECT on socket {socket} in state 0x{registers[R.SnSR]:x2}");
                _socketMode.Execute(socket, command, registers[R.SnMR]);
                return;
            case R.CommandReceive when _socketMode is not null && registers[R.SnSR] != R.StatusMacRaw:
                Set16(socket, R.SnRXRSR, (Get16(socket, R.SnRXWR) - Get16(socket, R.SnRXRD)) & 0xFFFF);
                return;
            case R.CommandOpen:
                int protocol = registers[R.SnMR] & 0x0F;
                Expect(protocol == R.ModeMacRaw, $"socket mode 0x{protocol:x2} is not a protocol the W5500 has");
                Expect(socket == 0, "MACRAW is for socket 0 only");
                Expect(TotalKilobytes(R.SnRXBUFSIZE) <= 16 && TotalKilobytes(R.SnTXBUFSIZE) <= 16, "the sockets' buffers exceed 16 KB in one direction");
                registers[R.SnSR] = R.StatusMacRaw;
                _macRawMode = registers[R.SnMR];
                Set16(socket, R.SnTXRD, 0);
                Set16(socket, R.SnTXWR, 0);
                Set16(socket, R.SnRXRD, 0);
                Set16(socket, R.SnRXWR, 0);
                Set16(socket, R.SnRXRSR, 0);
                Set16(socket, R.SnTXFSR, _transmit[socket].Length);
                return;
            case R.CommandClose:
                registers[R.SnSR] = R.StatusClosed;
                return;
            case R.CommandSend:
                Expect(registers[R.SnSR] == R.StatusMacRaw, $"SEND on socket {socket} in state 0x{registers[R.SnSR]:x2}");
                SendFrame(socket);
                return;
            case R.CommandReceive:
                Expect(registers[R.SnSR] == R.StatusMacRaw, $"RECV on socket {socket} in state 0x{registers[R.SnSR]:x2}");
                Set16(socket, R.SnRXRSR, (Get16(socket, R.SnRXWR) - Get16(socket, R.SnRXRD)) & 0xFFFF);
                return;
            default:
                Expect(false, $"command 0x{command:x2} on socket {socket} is not modeled");
                return;
        }
    }

    private void SendFrame(int socket)
    {
        byte[] buffer = _transmit[socket];
        int read = Get16(socket, R.SnTXRD);
        int length = (Get16(socket, R.SnTXWR) - read) & 0xFFFF;
        Expect(length >= 14 && length <= 1518, $"MACRAW SEND of {length} bytes");
        if (LinkUp && length > 0 && length <= _frame.Length)
        {
            Array.Clear(_frame, 0, Math.Max(length, EthernetFrame.MinimumLength));
            for (int i = 0; i < length; i++)
            {
                _frame[i] = buffer[(read + i) & (buffer.Length - 1)];
            }

            _wire.Transmit(_frame, 0, Math.Max(length, EthernetFrame.MinimumLength));
        }

        Set16(socket, R.SnTXRD, Get16(socket, R.SnTXWR));
        Set16(socket, R.SnTXFSR, buffer.Length);
        _socket[socket][R.SnIR] |= R.InterruptSendOk;
    }

    /// <summary>Frames waiting on the wire enter socket 0's receive buffer, as the chip would have taken them.</summary>
    private void TakeFromWire()
    {
        while (true)
        {
            int length = _wire.Receive(_frame, 0, _frame.Length);
            if (length == 0)
            {
                return;
            }

            if (!LinkUp || _socket[0][R.SnSR] != R.StatusMacRaw)
            {
                continue;
            }

            if (!PassesMacRawFilter(length))
            {
                continue;
            }

            byte[] buffer = _receive[0];
            int write = Get16(0, R.SnRXWR);
            int used = (write - Get16(0, R.SnRXRD)) & 0xFFFF;
            int total = length + 2;
            if (buffer.Length - used < total)
            {
                FramesDropped++;
                continue;
            }

            buffer[write & (buffer.Length - 1)] = (byte)(total >> 8);
            buffer[(write + 1) & (buffer.Length - 1)] = (byte)total;
            for (int i = 0; i < length; i++)
            {
                buffer[(write + 2 + i) & (buffer.Length - 1)] = _frame[i];
            }

            Set16(0, R.SnRXWR, (write + total) & 0xFFFF);
            Set16(0, R.SnRXRSR, (used + total) & 0xFFFF);
            _socket[0][R.SnIR] |= R.InterruptReceive;
        }
    }

    /// <summary>
    /// MACRAW's receive filter, by socket 0's Sn_MR at OPEN (datasheet 1.0.9 section 4.2, Sn_MR; WIZnet ioLibrary w5500.h
    /// describes the same bits): MFEN (bit 7) takes only frames to SHAR, broadcast and multicast (the datasheet names
    /// broadcast and "sent to itself"; the model lets multicast in too, as MMB, a separate bit to block it, implies: not
    /// confirmed on silicon); BCASTB (bit 6) blocks broadcast; MMB (bit 5) blocks frames to a
    /// multicast MAC address (group bit set, broadcast left to BCASTB); MIP6B (bit 4) blocks IPv6 frames (EtherType 0x86DD).
    /// </summary>
    private bool PassesMacRawFilter(int length)
    {
        if (length < EthernetFrame.HeaderLength)
        {
            return false;
        }

        var destination = MacAddress.Read(_frame, 0);
        bool broadcast = destination.IsBroadcast;
        bool multicast = destination.IsMulticast && !broadcast;
        if ((_macRawMode & R.ModeMacFilter) != 0 && !broadcast && !multicast && destination != MacAddress.Read(_common, R.SHAR))
        {
            return false;
        }

        if ((_macRawMode & R.ModeBroadcastBlock) != 0 && broadcast)
        {
            return false;
        }

        if ((_macRawMode & R.ModeMulticastBlock) != 0 && multicast)
        {
            return false;
        }

        return (_macRawMode & R.ModeIPv6Block) == 0 || ((_frame[12] << 8) | _frame[13]) != 0x86DD;
    }

    internal byte[] SocketRegisters(int socket) => _socket[socket];

    internal int CommonRegister(int address) => _common[address];

    internal byte[] CommonRegisters() => _common;

    /// <summary>What the socket engine finds the driver doing wrong, reported like every other misuse of the chip.</summary>
    internal void Check(bool condition, string message) => Expect(condition, message);

    internal int Get16(int socket, int address) => (_socket[socket][address] << 8) | _socket[socket][address + 1];

    /// <summary>Sn_SR of hardware socket <paramref name="socket"/> (0 to 7).</summary>
    public int Status(int socket) => _socket[socket][R.SnSR];

    internal void SetStatus(int socket, int status) => _socket[socket][R.SnSR] = (byte)status;

    internal void Raise(int socket, int interrupt) => _socket[socket][R.SnIR] |= (byte)interrupt;

    internal IPv4Address GetAddress(int socket, int register) => IPv4Address.Read(_socket[socket], register);

    internal void SetAddress(int socket, int register, IPv4Address address) => address.Write(_socket[socket], register);

    internal byte[] TransmitBuffer(int socket) => _transmit[socket];

    internal void UpdateFreeSize(int socket) =>
        Set16(socket, R.SnTXFSR, _transmit[socket].Length - ((Get16(socket, R.SnTXWR) - Get16(socket, R.SnTXRD)) & 0xFFFF));

    internal int ReceiveFree(int socket) => _receive[socket].Length - ((Get16(socket, R.SnRXWR) - Get16(socket, R.SnRXRD)) & 0xFFFF);

    /// <summary>Data the chip received for a socket: into its buffer at RX_WR, counted in RX_RSR, with the RECV interrupt.</summary>
    internal void AppendReceived(int socket, byte[] data, int length)
    {
        byte[] buffer = _receive[socket];
        int write = Get16(socket, R.SnRXWR);
        for (int i = 0; i < length; i++)
        {
            buffer[(write + i) & (buffer.Length - 1)] = data[i];
        }

        Set16(socket, R.SnRXWR, (write + length) & 0xFFFF);
        Set16(socket, R.SnRXRSR, (Get16(socket, R.SnRXWR) - Get16(socket, R.SnRXRD)) & 0xFFFF);
        Raise(socket, R.InterruptReceive);
    }

    internal void Set16(int socket, int address, int value)
    {
        _socket[socket][address] = (byte)(value >> 8);
        _socket[socket][address + 1] = (byte)value;
    }
}
