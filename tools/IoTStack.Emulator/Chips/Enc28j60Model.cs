using IoTStack.Drivers;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.Enc28j60.Enc28j60Registers;

namespace IoTStack.Emulator.Chips;

/// <summary>
/// A register-level model of the Microchip ENC28J60 (DS39662E) behind its SPI instruction set: four banks
/// of control registers plus the common five, the PHY behind the MII registers, the 8 KB buffer memory with
/// its wrap rules, the circular receive buffer with next-packet pointers and receive status vectors, the
/// transmit status vector, EPKTCNT/PKTDEC and the interrupt flags. Its wire is a port of the virtual switch.
/// Strict mode fails on what the datasheet forbids; fault modes make the chip misbehave on purpose.
/// </summary>
public sealed class Enc28j60Model : ChipModel
{
    private readonly byte[] _memory = new byte[R.BufferSize];
    private readonly byte[,] _registers = new byte[4, 32];
    private readonly ushort[] _phy = new ushort[32];
    private readonly IFrameDevice _wire;
    private readonly byte[] _frame = new byte[1600];
    private byte _readPointerLow;

    public Enc28j60Model(IFrameDevice wire)
        : base("ENC28J60")
    {
        _wire = wire;
        Reset();
    }

    public bool LinkUp { get; set; } = true;

    /// <summary>Fault: the next this-many transmissions end in a late collision (erratum 13's symptom).</summary>
    public int LateCollisions { get; set; }

    /// <summary>Fault: frames from the wire are held back (not taken into the buffer) while this is set.</summary>
    public bool HoldWire { get; set; }

    public long FramesDropped { get; private set; }
    public long FramesTransmitted { get; private set; }

    /// <summary>
    /// DS39662E section 12 (Registers 12-1 EIE, 12-2 EIR): INT is low while EIE.INTIE is set and some EIR flag is set
    /// together with its enable bit in EIE. PKTIF is set while EPKTCNT is not zero (section 7.2.4).
    /// </summary>
    public override bool InterruptAsserted
    {
        get
        {
            TakeFromWire();
            int enabled = Get(R.EIE);
            return (enabled & R.EieInterruptEnable) != 0 && (Get(R.EIR) & enabled & 0x7F) != 0;
        }
    }

    /// <summary>Power-on or brown-out: every register back to its reset value (DS39662E Table 3-3).</summary>
    public void Reset()
    {
        Array.Clear(_registers);
        Set16(R.ERDPTL, 0x05FA);
        Set16(R.ERXSTL, 0x05FA);
        Set16(R.ERXRDPTL, 0x05FA);
        Set16(R.ERXNDL, 0x1FFF);
        Set(R.ECON2, R.Econ2AutoIncrement);
        Set(R.ESTAT, R.EstatClockReady);
        Set(R.ERXFCON, R.ErxfconUnicast | R.ErxfconCrc | R.ErxfconBroadcast);
        Set16(R.MAMXFLL, 0x0600);
        Set(R.EREVID, 0x06); // silicon B7
        Array.Clear(_phy);
        _phy[R.PHID1] = 0x0083;
        _phy[R.PHID2] = 0x1400;
        _phy[R.PHLCON] = 0x3422;
        _phy[R.PHSTAT1] = 0x1800;
    }

    /// <summary>
    /// Datasheet DS39662E table 4-1: the opcode is the top three bits of the first byte. RCR and RBM read
    /// after it; WBM writes after it; WCR, BFS and BFC carry their one argument byte; SRC has none.
    /// </summary>
    protected override int HeaderLength(byte[] frame, int length, out SpiDataDirection direction)
    {
        int opcode = frame[0] >> 5;
        direction = opcode <= 1 ? SpiDataDirection.Read : SpiDataDirection.Write;
        return opcode is 2 or 4 or 5 ? Math.Min(2, length) : 1;
    }

    protected override void Answer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        TakeFromWire();
        byte instruction = header[headerOffset];
        int argument = instruction & 0x1F;
        switch (instruction >> 5)
        {
            case 0 when instruction != R.ReadBufferMemory:
                ReadControl(argument, data, dataOffset, dataLength);
                break;
            case 1 when instruction == R.ReadBufferMemory:
                for (int i = 0; i < dataLength; i++)
                {
                    data[dataOffset + i] = ReadBufferByte();
                }

                break;
            case 2:
                Expect(headerLength == 2 && dataLength == 0, $"WCR 0x{argument:x2} takes one data byte");
                WriteControl(argument, header[headerOffset + 1]);
                break;
            case 3 when instruction == R.WriteBufferMemory:
                for (int i = 1; i < headerLength; i++)
                {
                    WriteBufferByte(header[headerOffset + i]);
                }

                for (int i = 0; i < dataLength; i++)
                {
                    WriteBufferByte(data[dataOffset + i]);
                }

                break;
            case 4:
            case 5:
                Expect(headerLength == 2, "BFS/BFC take one mask byte");
                BitField(argument, header[headerOffset + 1], set: instruction >> 5 == 4);
                break;
            case 7 when instruction == R.SystemReset:
                Reset();
                break;
            default:
                Expect(false, $"undefined SPI instruction 0x{instruction:x2}");
                break;
        }
    }

    private int Bank => _registers[0, 0x1F] & R.Econ1BankSelect;

    /// <summary>The register an address means in the selected bank, flagged as the register constants are.</summary>
    private int Current(int address) =>
        address >= 0x1B ? (R.Common | address) : (Bank << 8) | address | (IsMacMii(Bank, address) ? R.MacMii : 0);

    /// <summary>Whether a register exists at this address in this bank (DS39662E Table 3-1); the rest are reserved or unimplemented.</summary>
    private static bool IsImplemented(int bank, int address) => address >= 0x1B || bank switch
    {
        0 => address <= 0x17,
        1 => address <= 0x11 || address is 0x14 or 0x15 or 0x18 or 0x19,
        2 => address is 0x00 or 0x02 or 0x03 or 0x04 or 0x06 or 0x07 or 0x08 or 0x09 or 0x0A or 0x0B or 0x12 or 0x14 or 0x16 or 0x17 or 0x18 or 0x19,
        _ => address <= 0x0A || address is 0x12 or 0x15 or 0x17 or 0x18 or 0x19,
    };

    private void ExpectImplemented(int address) =>
        Expect(IsImplemented(Bank, address), $"address 0x{address:x2} in bank {Bank} is reserved or unimplemented: a bank not selected? (Table 3-1)");

    private static bool IsMacMii(int bank, int address) =>
        bank == 2 ? address <= 0x19 : bank == 3 && (address <= 0x05 || address == 0x0A);

    private void ReadControl(int address, byte[] data, int offset, int length)
    {
        ExpectImplemented(address);
        bool dummy = address < 0x1B && IsMacMii(Bank, address);
        Expect(length == (dummy ? 2 : 1), $"RCR of {(dummy ? "a MAC/MII" : "an ETH")} register 0x{address:x2} in bank {Bank} reads {(dummy ? 2 : 1)} bytes (DS39662E 4.2.1)");
        byte value = Get(Current(address));
        if (length == 2)
        {
            data[offset] = 0x00;
            data[offset + 1] = value;
        }
        else if (length == 1)
        {
            data[offset] = value;
        }
    }

    private void WriteControl(int address, byte value)
    {
        ExpectImplemented(address);
        int register = Current(address);
        Expect(register != R.EPKTCNT && register != R.ERXWRPTL && register != R.ERXWRPTL + 1 && register != R.EREVID && register != R.ESTAT && register != R.MISTAT,
            $"register 0x{address:x2} in bank {Bank} is read-only");
        Expect(register != R.ERXFCON || (Get(R.ECON1) & R.Econ1ReceiveEnable) == 0, "ERXFCON written while receive is enabled (section 8.1: only with ECON1.RXEN clear)");
        switch (register)
        {
            case R.ERXRDPTL:
                _readPointerLow = value; // buffered until ERXRDPTH is written (section 6.1)
                return;
            case R.ERXRDPTL + 1:
                Set(R.ERXRDPTL, _readPointerLow);
                Set(R.ERXRDPTL + 1, value & 0x1F);
                return;
            case R.ECON1:
            case R.ECON2:
            case R.EIR:
                WriteEthernetControl(register, value);
                return;
            case R.MICMD:
                Set(R.MICMD, value);
                if ((value & R.MicmdRead) != 0)
                {
                    int phyRegister = Get(R.MIREGADR) & 0x1F;
                    ushort phy = phyRegister == R.PHSTAT2 ? PhyStatus2 : _phy[phyRegister];
                    Set(R.MIRDL, phy & 0xFF);
                    Set(R.MIRDH, phy >> 8);
                }

                return;
            case R.MIWRH:
                Set(R.MIWRH, value);
                WritePhy(Get(R.MIREGADR) & 0x1F, Get(R.MIWRL) | (value << 8));
                return;
        }

        if (register == R.ERXSTL || register == R.ERXSTL + 1 || register == R.ERXNDL || register == R.ERXNDL + 1)
        {
            Expect((Get(R.ECON1) & R.Econ1ReceiveEnable) == 0, "ERXST and ERXND may only change while ECON1.RXEN is clear (section 6.1)");
            Set(register, value);
            // Erratum 5: the internal write pointer loads 0x0000 rather than ERXST.
            Set16(R.ERXWRPTL, 0);
            return;
        }

        Set(register, value);
    }

    /// <summary>ECON1, ECON2 and EIR act on what is written, whether by WCR or by BFS/BFC; false for other registers.</summary>
    private bool WriteEthernetControl(int register, byte value)
    {
        switch (register)
        {
            case R.ECON1:
                WriteEcon1(value);
                return true;
            case R.ECON2:
                WriteEcon2(value);
                return true;
            case R.EIR:
                // PKTIF and LINKIF are read-only.
                Set(R.EIR, (Get(R.EIR) & (R.EirPacket | R.EirLink)) | (value & ~(R.EirPacket | R.EirLink)));
                return true;
            default:
                return false;
        }
    }

    private void BitField(int address, byte mask, bool set)
    {
        ExpectImplemented(address);
        int register = Current(address);
        Expect(address >= 0x1B || !IsMacMii(Bank, address), $"BFS/BFC work on ETH registers only, not MAC/MII register 0x{address:x2} (Table 4-1)");
        byte value = set ? (byte)(Get(register) | mask) : (byte)(Get(register) & ~mask);
        if (WriteEthernetControl(register, value))
        {
            return;
        }

        Expect(register != R.ESTAT && register != R.EPKTCNT, $"register 0x{address:x2} is read-only");
        Set(register, value);
    }

    private void WriteEcon1(byte value)
    {
        byte before = Get(R.ECON1);
        if ((value & R.Econ1RxReset) != 0)
        {
            Set(R.EPKTCNT, 0);
            Set16(R.ERXWRPTL, Get16(R.ERXSTL));
            Set(R.EIR, Get(R.EIR) & ~(R.EirPacket | R.EirReceiveError));
        }

        Set(R.ECON1, value);
        if ((value & R.Econ1TransmitRequest) != 0 && (before & R.Econ1TransmitRequest) == 0 && (value & R.Econ1TxReset) == 0)
        {
            TransmitFrame();
        }
    }

    private void WriteEcon2(byte value)
    {
        if ((value & R.Econ2PacketDecrement) != 0)
        {
            int count = Get(R.EPKTCNT);
            Expect(count > 0, "PKTDEC with EPKTCNT already 0");
            Set(R.EPKTCNT, Math.Max(0, count - 1));
            if (count <= 1)
            {
                Set(R.EIR, Get(R.EIR) & ~R.EirPacket);
            }
        }

        Set(R.ECON2, value & ~R.Econ2PacketDecrement); // PKTDEC clears itself
    }

    private void WritePhy(int register, int value)
    {
        switch (register)
        {
            case R.PHSTAT1:
            case R.PHSTAT2:
            case R.PHID1:
            case R.PHID2:
                Expect(false, $"PHY register 0x{register:x2} is read-only");
                return;
            default:
                _phy[register] = (ushort)value;
                return;
        }
    }

    private byte ReadBufferByte()
    {
        int pointer = Get16(R.ERDPTL);
        byte value = _memory[pointer];
        if ((Get(R.ECON2) & R.Econ2AutoIncrement) != 0)
        {
            // Section 3.2.1: a read at ERXND wraps to ERXST; elsewhere the pointer wraps at the end of memory.
            pointer = pointer == Get16(R.ERXNDL) ? Get16(R.ERXSTL) : (pointer + 1) & 0x1FFF;
            Set16(R.ERDPTL, pointer);
        }

        return value;
    }

    private void WriteBufferByte(byte value)
    {
        int pointer = Get16(R.EWRPTL);
        _memory[pointer] = value;
        if ((Get(R.ECON2) & R.Econ2AutoIncrement) != 0)
        {
            Set16(R.EWRPTL, (pointer + 1) & 0x1FFF); // writes wrap only at the end of memory (section 3.2.2)
        }
    }

    private void TransmitFrame()
    {
        int start = Get16(R.ETXSTL);
        int end = Get16(R.ETXNDL);
        Expect(end > start && end < R.BufferSize - 7, $"ETXST 0x{start:x4} and ETXND 0x{end:x4} frame no packet with room for its status vector");
        int length = end - start; // the control byte at ETXST, then the frame up to ETXND
        bool error = !LinkUp || LateCollisions > 0;
        if (LateCollisions > 0)
        {
            LateCollisions--;
        }

        if (!error)
        {
            int sent = Math.Max(length, EthernetFrame.MinimumLength); // MACON3.PADCFG pads short frames
            Array.Clear(_frame, 0, sent);
            Array.Copy(_memory, start + 1, _frame, 0, length);
            _wire.Transmit(_frame, 0, sent);
            FramesTransmitted++;
        }

        // The transmit status vector goes to ETXND + 1 (section 7.1, Table 7-1).
        int tsv = end + 1;
        _memory[tsv] = (byte)length;
        _memory[tsv + 1] = (byte)(length >> 8);
        _memory[tsv + 2] = (byte)(error ? 0 : R.TsvDone);
        _memory[tsv + 3] = (byte)(LinkUp && error ? R.TsvLateCollision : 0);
        _memory[tsv + 4] = (byte)length;
        _memory[tsv + 5] = (byte)(length >> 8);
        _memory[tsv + 6] = 0;
        Set(R.ECON1, Get(R.ECON1) & ~R.Econ1TransmitRequest);
        Set(R.EIR, Get(R.EIR) | (error ? R.EirTransmitError : R.EirTransmit));
        if (error)
        {
            Set(R.ESTAT, Get(R.ESTAT) | R.EstatTransmitAbort);
        }
    }

    /// <summary>Frames waiting on the wire enter the receive buffer, as the chip would have taken them meanwhile.</summary>
    private void TakeFromWire()
    {
        while (!HoldWire)
        {
            int length = _wire.Receive(_frame, 0, _frame.Length);
            if (length == 0)
            {
                return;
            }

            Accept(length);
        }
    }

    private void Accept(int length)
    {
        if (!LinkUp || (Get(R.ECON1) & R.Econ1ReceiveEnable) == 0 || !PassesFilter())
        {
            return;
        }

        int withCrc = length + 4;
        int total = 6 + withCrc + (withCrc & 1);
        if (total >= FreeSpace() || Get(R.EPKTCNT) == 255)
        {
            // Section 7.2.3: no room: the frame is dropped and RXERIF set.
            FramesDropped++;
            Set(R.EIR, Get(R.EIR) | R.EirReceiveError);
            Set(R.ESTAT, Get(R.ESTAT) | R.EstatBufferError);
            return;
        }

        int start = Get16(R.ERXWRPTL);
        int next = Advance(start, total);
        var destination = MacAddress.Read(_frame, 0);
        uint crc = Crc32(_frame, length);
        byte[] header =
        [
            (byte)next, (byte)(next >> 8), (byte)withCrc, (byte)(withCrc >> 8),
            (byte)R.RsvReceivedOk, (byte)((destination.IsMulticast ? 0x01 : 0) | (destination.IsBroadcast ? 0x02 : 0)),
        ];
        int at = start;
        foreach (byte b in header)
        {
            at = Store(at, b);
        }

        for (int i = 0; i < length; i++)
        {
            at = Store(at, _frame[i]);
        }

        for (int i = 0; i < 4; i++)
        {
            at = Store(at, (byte)(crc >> (8 * i)));
        }

        Set16(R.ERXWRPTL, next);
        Set(R.EPKTCNT, Get(R.EPKTCNT) + 1);
        Set(R.EIR, Get(R.EIR) | R.EirPacket);
    }

    /// <summary>
    /// DS39662E section 8.0 (Figures 8-1 and 8-2): with ANDOR clear a frame passes when any enabled filter accepts it, with
    /// ANDOR set when every enabled one does; with no filter enabled (ERXFCON cleared) the chip is promiscuous. The
    /// pattern-match and Magic Packet filters are not modeled: enabled, they accept nothing.
    /// </summary>
    private bool PassesFilter()
    {
        byte filter = Get(R.ERXFCON);
        if ((filter & FilterEnables) == 0)
        {
            return true;
        }

        var destination = MacAddress.Read(_frame, 0);
        var own = new MacAddress(Get(R.MAADR1), Get(R.MAADR2), Get(R.MAADR3), Get(R.MAADR4), Get(R.MAADR5), Get(R.MAADR6));
        int bit = HashTableBit(_frame);
        bool and = (filter & ErxfconAndOr) != 0;
        bool passed = and;
        Combine(filter, R.ErxfconUnicast, destination == own, and, ref passed);
        Combine(filter, ErxfconPatternMatch | ErxfconMagicPacket, false, and, ref passed);
        Combine(filter, R.ErxfconHashTable, (Get(R.EHT0 + bit / 8) & (1 << (bit % 8))) != 0, and, ref passed);
        Combine(filter, R.ErxfconMulticast, destination.IsMulticast, and, ref passed);
        Combine(filter, R.ErxfconBroadcast, destination.IsBroadcast, and, ref passed);
        return passed;
    }

    private const byte ErxfconAndOr = 0x40;
    private const byte ErxfconPatternMatch = 0x10;
    private const byte ErxfconMagicPacket = 0x08;
    private const byte FilterEnables = 0x9F; // UCEN, PMEN, MPEN, HTEN, MCEN, BCEN (Register 8-1)

    private static void Combine(byte filter, int enable, bool accepts, bool and, ref bool passed)
    {
        if ((filter & enable) != 0)
        {
            passed = and ? passed && accepts : passed || accepts;
        }
    }

    /// <summary>
    /// The EHT bit the hash table filter checks (section 8.4): bits 28:23 of the CRC-32 over the six destination bytes
    /// (Microchip's TCP/IP stack, SetRXHashTableEntry, takes them from the CRC register shifted left, polynomial
    /// 0x04C11DB7, address bits in wire order, not inverted). Worked out here from the frame check sequence's own
    /// reflected CRC (IEEE 802.3 clause 3.2.9), not from the driver's function: that register is the left-shifting one
    /// read backwards, so bit 28 - i of the one is bit 3 + i of the other.
    /// </summary>
    public static int HashTableBit(byte[] frame)
    {
        uint reflected = ~Crc32(frame, 6);
        int bit = 0;
        for (int i = 0; i < 6; i++)
        {
            bit |= (int)((reflected >> (3 + i)) & 1) << (5 - i);
        }

        return bit;
    }

    /// <summary>Bytes the hardware may still write: up to, but not including, ERXRDPT (section 7.2.3).</summary>
    private int FreeSpace()
    {
        int start = Get16(R.ERXSTL);
        int end = Get16(R.ERXNDL);
        int write = Get16(R.ERXWRPTL);
        int read = Get16(R.ERXRDPTL);
        int size = end - start + 1;
        return write >= read ? size - (write - read) : read - write;
    }

    private int Advance(int pointer, int count)
    {
        int start = Get16(R.ERXSTL);
        int size = Get16(R.ERXNDL) - start + 1;
        return start + (pointer - start + count) % size;
    }

    private int Store(int at, byte value)
    {
        _memory[at] = value;
        return at == Get16(R.ERXNDL) ? Get16(R.ERXSTL) : at + 1;
    }

    private static uint Crc32(byte[] data, int length)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = 0; i < length; i++)
        {
            crc ^= data[i];
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }

    private byte Get(int register) => _registers[R.IsCommon(register) ? 0 : R.BankOf(register), R.Address(register)];

    private void Set(int register, int value)
    {
        if (R.IsCommon(register))
        {
            for (int bank = 0; bank < 4; bank++)
            {
                _registers[bank, R.Address(register)] = (byte)value;
            }
        }
        else
        {
            _registers[R.BankOf(register), R.Address(register)] = (byte)value;
        }
    }

    private int Get16(int lowRegister) => Get(lowRegister) | (Get(lowRegister + 1) << 8);

    private void Set16(int lowRegister, int value)
    {
        Set(lowRegister, value & 0xFF);
        Set(lowRegister + 1, (value >> 8) & 0xFF);
    }

    /// <summary>PHSTAT2.LSTAT follows the model's link.</summary>
    public ushort PhyStatus2 => (ushort)(LinkUp ? R.Phstat2LinkStatus : 0);
}
