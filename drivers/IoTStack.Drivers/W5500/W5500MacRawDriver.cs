using IoTStack.Net.Link;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.W5500.W5500Registers;

namespace IoTStack.Drivers.W5500
{
    /// <summary>
    /// WIZnet W5500 in MACRAW mode on socket 0 as an <see cref="IFrameDevice"/>: the chip only moves Ethernet
    /// frames and the software stack does all of TCP/IP. Socket 0 gets all 16 KB of each direction. Every wait
    /// on the chip is bounded; a chip that reset itself is noticed and set up again.
    /// </summary>
    public sealed class W5500MacRawDriver : IFrameDevice, IMulticastFilter
    {
        private const int LinkCheckIntervalMs = 250;
        private const int SendPollLimit = 1000;
        private const int MaximumFrame = EthernetFrame.MaximumLength; // ioLibrary's limit too
        private const int SendTimeoutMs = 50;

        private readonly W5500Bus _bus;
        private readonly IClock _clock;
        private readonly MacAddress _macAddress;
        private readonly byte[] _mac = new byte[MacAddress.Length];
        private readonly byte[] _length = new byte[2];
        private readonly W5500Counters _counters = new W5500Counters();
        private bool _initialised;
        private bool _sendPending;

        /// <summary>
        /// Socket 0's Sn_MR (datasheet 1.0.9 section 4.2): MACRAW with MFEN (frames to SHAR, broadcast, multicast) and
        /// MIP6B (IPv6 frames blocked: the stack is IPv4 only); MMB (multicast blocked) set by <see cref="SetMulticastGroups"/>.
        /// </summary>
        private int _mode = R.ModeMacRaw | R.ModeMacFilter | R.ModeIPv6Block;

        /// <summary>
        /// Sn_RX_RD as last written, or -1 when not known (after OPEN or a resynchronisation). Only the host moves
        /// RX_RD (datasheet 1.0.9 section 4.2), so the driver need not read it back for every frame: five SPI bytes
        /// a frame saved.
        /// </summary>
        private int _readPointer = -1;
        private bool _linkUp;
        private bool _linkStale = true;
        private long _linkCheckedAt;

        public W5500MacRawDriver(ISpiBus bus, MacAddress macAddress, IClock clock)
        {
            if (clock == null)
            {
                throw new System.ArgumentNullException("clock");
            }

            _bus = new W5500Bus(bus);
            _clock = clock;
            _macAddress = macAddress;
            macAddress.Write(_mac, 0);
        }

        public MacAddress MacAddress
        {
            get { return _macAddress; }
        }

        public W5500Counters Counters
        {
            get { return _counters; }
        }

        /// <summary>PHYCFGR.LNK, read at most every 250 ms; also the moment a self-reset chip is noticed.</summary>
        public bool IsLinkUp
        {
            get
            {
                long now = _clock.NowMilliseconds;
                if (_linkStale || now - _linkCheckedAt >= LinkCheckIntervalMs)
                {
                    _linkStale = false;
                    _linkCheckedAt = now;
                    CheckChip();
                    _linkUp = _initialised && (_bus.Read8(R.CommonBlock, R.PHYCFGR) & R.PhyLink) != 0;
                }

                return _linkUp;
            }
        }

        /// <summary>Resets the chip and opens socket 0 in MACRAW mode. False when no W5500 answers (VERSIONR is not 0x04).</summary>
        public bool Initialise()
        {
            _initialised = false;
            _readPointer = -1;
            if (!_bus.Reset())
            {
                return false;
            }

            _bus.Write(R.CommonBlock, R.SHAR, _mac, 0, _mac.Length);
            for (int socket = 0; socket < 8; socket++)
            {
                int size = socket == 0 ? 16 : 0;
                _bus.Write8(R.SocketBlock(socket), R.SnRXBUFSIZE, size);
                _bus.Write8(R.SocketBlock(socket), R.SnTXBUFSIZE, size);
            }

            if (!Open())
            {
                return false;
            }

            // INTn (active low) while socket 0 has received a frame: SIMR bit 0 and, of Sn_IMR, RECV only (datasheet 1.0.9
            // sections 4.1 SIMR, 4.2 Sn_IR and Sn_IMR). The mask gates the pin, not the flags: SENDOK is still set for
            // Transmit to poll (as Espressif's W5500 driver also relies on), and does not wake the host after every frame.
            _bus.Write8(R.SocketBlock(0), R.SnIMR, R.InterruptReceive);
            _bus.Write8(R.CommonBlock, R.SIMR, 0x01);
            _initialised = true;
            _sendPending = false;
            _linkStale = true;
            return true;
        }

        /// <summary>
        /// The W5500 has no multicast hash or group table in MACRAW, only MMB (Sn_MR bit 5, multicast blocking): with no group
        /// joined MMB is set and no multicast frame crosses the bus; with any group joined MMB is clear, every multicast frame
        /// on the link crosses it and the stack filters by group in software. Sn_MR acts from OPEN, so a change re-opens
        /// socket 0: frames the chip held and the driver had not read are lost with it (OPEN starts the receive buffer
        /// afresh). Until the first call multicast is not blocked, as before the stack programmed filters.
        /// </summary>
        public void SetMulticastGroups(uint[] groups, int count)
        {
            int mode = count == 0 ? _mode | R.ModeMulticastBlock : _mode & ~R.ModeMulticastBlock;
            if (mode == _mode)
            {
                return;
            }

            _mode = mode;
            if (_initialised)
            {
                if (_sendPending)
                {
                    AwaitSendOk(R.SocketBlock(0)); // CLOSE would cut short the frame being sent
                }

                Command(R.CommandClose);
                _initialised = Open();
            }
        }

        /// <summary>Opens socket 0 in MACRAW with <see cref="_mode"/>; the chip starts its buffers afresh, so RX_RD is read anew.</summary>
        private bool Open()
        {
            int block = R.SocketBlock(0);
            _bus.Write8(block, R.SnMR, _mode);
            _readPointer = -1;
            _sendPending = false;
            if (!Command(R.CommandOpen) || _bus.Read8(block, R.SnSR) != R.StatusMacRaw)
            {
                return false;
            }

            _bus.Write8(block, R.SnIR, R.InterruptReceive | R.InterruptSendOk); // write 1 to clear: nothing of the old buffer waits
            return true;
        }

        public int Receive(byte[] buffer, int offset, int capacity)
        {
            if (!_initialised)
            {
                return 0;
            }

            int block = R.SocketBlock(0);
            int waiting = _bus.Read16Stable(block, R.SnRXRSR);
            if (waiting == 0)
            {
                return 0;
            }

            if (waiting > W5500Registers.BufferMemory)
            {
                Resynchronise(block); // more than the 16 KB buffer holds: a garbled read
                return 0;
            }

            int read = _readPointer >= 0 ? _readPointer : _bus.Read16(block, R.SnRXRD);
            _bus.Read(R.ReceiveBufferBlock(0), read, _length, 0, 2);
            int total = (_length[0] << 8) | _length[1]; // MACRAW: a 2-byte length that counts itself, then the frame without CRC
            if (total <= 2 + EthernetFrame.HeaderLength - 1 || total > 2 + MaximumFrame || total > waiting)
            {
                Resynchronise(block);
                return 0;
            }

            int length = total - 2;
            int received = 0;
            if (length > capacity)
            {
                _counters.LengthErrors++;
            }
            else
            {
                // One bus frame straight into the caller's buffer; the chip wraps the address inside the buffer.
                _bus.Read(R.ReceiveBufferBlock(0), (read + 2) & 0xFFFF, buffer, offset, length);
                received = length;
                _counters.FramesReceived++;
                _counters.BytesReceived += length;
            }

            _readPointer = (read + total) & 0xFFFF;
            _bus.Write16(block, R.SnRXRD, _readPointer);
            Command(R.CommandReceive);
            if (total == waiting)
            {
                // The buffer is empty: clear RECV (write 1 to clear) so INTn goes high and the next frame pulls it low
                // again. A frame that came since RX_RSR was read is found by the next Receive, which the stack makes until
                // one returns 0.
                _bus.Write8(block, R.SnIR, R.InterruptReceive);
            }

            return received;
        }

        public bool Transmit(byte[] buffer, int offset, int length)
        {
            if (!_initialised || length < EthernetFrame.HeaderLength || length > MaximumFrame || !NetworkOrder.InBuffer(buffer, offset, length))
            {
                return false;
            }

            int block = R.SocketBlock(0);
            if (_sendPending && !AwaitSendOk(block))
            {
                return false; // the chip is still sending the last frame: never two SENDs at once
            }

            if (_bus.Read16Stable(block, R.SnTXFSR) < length)
            {
                _counters.TransmitBufferFull++;
                return false;
            }

            int write = _bus.Read16(block, R.SnTXWR);
            _bus.Write(R.TransmitBufferBlock(0), write, buffer, offset, length);
            _bus.Write16(block, R.SnTXWR, (write + length) & 0xFFFF);
            if (!Command(R.CommandSend))
            {
                return false;
            }

            _sendPending = true;
            _counters.FramesSent++;
            _counters.BytesSent += length;
            AwaitSendOk(block); // usually done at once; if not, the next Transmit waits for it
            return true;
        }

        /// <summary>Waits (at most 50 ms of the clock, and a poll count) for SENDOK of the SEND under way, and clears it.</summary>
        private bool AwaitSendOk(int block)
        {
            long deadline = _clock.NowMilliseconds + SendTimeoutMs;
            for (int i = 0; i < SendPollLimit; i++)
            {
                if ((_bus.Read8(block, R.SnIR) & R.InterruptSendOk) != 0)
                {
                    _bus.Write8(block, R.SnIR, R.InterruptSendOk); // write 1 to clear
                    _sendPending = false;
                    return true;
                }

                if (_clock.NowMilliseconds > deadline)
                {
                    break;
                }
            }

            return false;
        }

        /// <summary>An impossible header or size: skip everything received and start again at RX_WR.</summary>
        private void Resynchronise(int block)
        {
            _counters.ReceiveResyncs++;
            _readPointer = -1;
            _bus.Write16(block, R.SnRXRD, _bus.Read16(block, R.SnRXWR));
            Command(R.CommandReceive);
            _bus.Write8(block, R.SnIR, R.InterruptReceive);
        }

        private bool Command(int command)
        {
            if (_bus.Command(0, command))
            {
                return true;
            }

            _counters.CommandTimeouts++;
            return false;
        }

        /// <summary>A chip that reset itself (brown-out, cable re-plug reports) has socket 0 closed or lost its MAC address.</summary>
        private void CheckChip()
        {
            if (!_initialised || _bus.Read8(R.SocketBlock(0), R.SnSR) != R.StatusMacRaw || _bus.Read8(R.CommonBlock, R.SHAR + 5) != _mac[5])
            {
                _counters.ChipReinitialisations++;
                Initialise();
            }
        }
    }
}
