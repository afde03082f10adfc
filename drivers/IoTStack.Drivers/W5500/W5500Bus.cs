using R = IoTStack.Drivers.W5500.W5500Registers;

namespace IoTStack.Drivers.W5500
{
    /// <summary>
    /// Register and buffer access to a W5500 over <see cref="ISpiBus"/>: each access is one variable-length
    /// frame, three header bytes in front of the data. Shared by the MACRAW driver and the socket engine.
    /// </summary>
    public sealed class W5500Bus
    {
        private const int CommandPollLimit = 1000;

        private readonly ISpiBus _bus;
        private readonly byte[] _header = new byte[3];
        private readonly byte[] _scratch = new byte[6];

        public W5500Bus(ISpiBus bus)
        {
            if (bus == null)
            {
                throw new System.ArgumentNullException("bus");
            }

            _bus = bus;
        }

        /// <summary>
        /// Data bytes one frame carries: a platform's full-duplex transfer holds at most
        /// <see cref="FullDuplexFrame.MaximumLength"/> bytes with the 3-byte header, so a whole 2 KB socket
        /// buffer takes two frames (issue 14: one frame of 3 + 2,048 bytes threw on every real board).
        /// </summary>
        public const int MaximumDataPerFrame = FullDuplexFrame.MaximumLength - 3;

        public void Read(int block, int address, byte[] buffer, int offset, int length)
        {
            Move(block, address, buffer, offset, length, SpiDataDirection.Read);
        }

        public void Write(int block, int address, byte[] buffer, int offset, int length)
        {
            Move(block, address, buffer, offset, length, SpiDataDirection.Write);
        }

        /// <summary>
        /// Variable-length frames of at most <see cref="MaximumDataPerFrame"/> bytes each; the address advances
        /// modulo 2^16, as the chip's buffer pointers do (datasheet 1.0.9 section 4.2, Sn_TX_WR / Sn_RX_RD).
        /// </summary>
        private void Move(int block, int address, byte[] buffer, int offset, int length, SpiDataDirection direction)
        {
            bool write = direction == SpiDataDirection.Write;
            do
            {
                int part = length > MaximumDataPerFrame ? MaximumDataPerFrame : length;
                Header(block, address, write);
                _bus.Transfer(_header, 0, 3, buffer, offset, part, direction);
                address = (address + part) & 0xFFFF;
                offset += part;
                length -= part;
            }
            while (length > 0);
        }

        public int Read8(int block, int address)
        {
            Read(block, address, _scratch, 0, 1);
            return _scratch[0];
        }

        public void Write8(int block, int address, int value)
        {
            _scratch[0] = (byte)value;
            Write(block, address, _scratch, 0, 1);
        }

        public int Read16(int block, int address)
        {
            Read(block, address, _scratch, 0, 2);
            return (_scratch[0] << 8) | _scratch[1];
        }

        public void Write16(int block, int address, int value)
        {
            _scratch[0] = (byte)(value >> 8);
            _scratch[1] = (byte)value;
            Write(block, address, _scratch, 0, 2);
        }

        /// <summary>
        /// A 16-bit register the chip updates on its own (Sn_TX_FSR, Sn_RX_RSR): read until two reads agree, as the
        /// datasheet's notes to those registers ask, at most a few times.
        /// </summary>
        public int Read16Stable(int block, int address)
        {
            int value = Read16(block, address);
            for (int i = 0; i < 4; i++)
            {
                int again = Read16(block, address);
                if (again == value)
                {
                    return value;
                }

                value = again;
            }

            return value;
        }

        /// <summary>
        /// Issues a socket command and waits, with a bound, for Sn_CR to read 0 (the chip took it). ioLibrary waits
        /// for ever here (ioLibrary_Driver issue 94); a chip that never answers must not hang the stack.
        /// </summary>
        public bool Command(int socket, int command)
        {
            Write8(R.SocketBlock(socket), R.SnCR, command);
            for (int i = 0; i < CommandPollLimit; i++)
            {
                if (Read8(R.SocketBlock(socket), R.SnCR) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Resets the chip (MR.RST clears itself) and its PHY, which then auto-negotiates every mode (PHYCFGR:
        /// OPMD set, OPMDC 111, RST written 0 to reset and 1 to run). False when VERSIONR does not read 0x04.
        /// </summary>
        public bool Reset()
        {
            Write8(R.CommonBlock, R.MR, R.ModeReset);
            for (int i = 0; i < 100 && (Read8(R.CommonBlock, R.MR) & R.ModeReset) != 0; i++)
            {
            }

            // ESP-IDF found VERSIONR reading 0 for a moment after a reset: look a few times before giving up.
            bool found = false;
            for (int i = 0; i < 100 && !found; i++)
            {
                found = Read8(R.CommonBlock, R.VERSIONR) == R.ChipVersion;
            }

            if (!found)
            {
                return false;
            }

            Write8(R.CommonBlock, R.PHYCFGR, R.PhyConfigureAll);
            Write8(R.CommonBlock, R.PHYCFGR, R.PhyConfigureAll | R.PhyRun);
            return true;
        }

        private void Header(int block, int address, bool write)
        {
            _header[0] = (byte)(address >> 8);
            _header[1] = (byte)address;
            _header[2] = (byte)((block << 3) | (write ? R.ControlWrite : 0) | R.VariableLength);
        }
    }
}
