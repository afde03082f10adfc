using IoTStack.Net.Link;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.Enc28j60.Enc28j60Registers;

namespace IoTStack.Drivers.Enc28j60
{
    /// <summary>
    /// Microchip ENC28J60 10BASE-T controller as an <see cref="IFrameDevice"/> (DS39662E), with the silicon
    /// errata of DS80349C that concern a driver handled where they apply (cited as "erratum N"). Polled: the
    /// INT pin is driven for a waiting packet so a loop can sleep until it falls, but the driver never relies on it
    /// (erratum 6: PKTIF is not reliable; EPKTCNT is what it reads). Every wait on the chip is bounded, and nothing here throws once
    /// <see cref="Initialise"/> has returned.
    /// </summary>
    public sealed class Enc28j60Driver : IFrameDevice, IMulticastFilter
    {
        /// <summary>Erratum 5: the receive buffer must start at 0x0000. 6.5 KB for receive, the rest for one frame to send.</summary>
        public const int ReceiveStart = 0x0000;
        /// <summary>Odd, so that the first ERXRDPT written is odd (erratum 14).</summary>
        public const int ReceiveEnd = 0x19FF;
        public const int TransmitStart = 0x1A00;

        private const int MaximumFrame = 1518; // with CRC
        private const int PollLimit = 100000;
        private const int TransmitTimeoutMs = 50; // a 1518-byte frame takes 1.2 ms at 10 Mb/s; half duplex may defer and back off
        private const int TransmitAttempts = 16; // erratum 13
        private const int LinkCheckIntervalMs = 250;

        private readonly ISpiBus _bus;
        private readonly IClock _clock;
        private readonly MacAddress _macAddress;
        private readonly bool _fullDuplex;
        private readonly byte[] _header = new byte[2];
        private readonly byte[] _data = new byte[8];
        private readonly Enc28j60Counters _counters = new Enc28j60Counters();
        private readonly byte[] _hashTable = new byte[8];
        private readonly byte[] _group = new byte[MacAddress.Length];
        private bool _hashFilter;
        private int _bank = -1;
        private int _nextPacket = ReceiveStart;
        private bool _linkUp;
        private long _linkCheckedAt;
        private bool _linkStale = true;
        private bool _initialised;

        public Enc28j60Driver(ISpiBus bus, MacAddress macAddress, IClock clock, bool fullDuplex)
        {
            if (bus == null || clock == null)
            {
                throw new System.ArgumentNullException(bus == null ? "bus" : "clock");
            }

            _bus = bus;
            _clock = clock;
            _macAddress = macAddress;
            _fullDuplex = fullDuplex;
        }

        public MacAddress MacAddress
        {
            get { return _macAddress; }
        }

        public Enc28j60Counters Counters
        {
            get { return _counters; }
        }

        /// <summary>The silicon revision EREVID read at initialisation (0x06 for B7).</summary>
        public int Revision { get; private set; }

        /// <summary>PHSTAT2.LSTAT, read at most every 250 ms; also the moment a self-reset chip is noticed.</summary>
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
                    _linkUp = _initialised && (ReadPhy(R.PHSTAT2) & R.Phstat2LinkStatus) != 0;
                }

                return _linkUp;
            }
        }

        /// <summary>
        /// Resets and sets up the chip: buffers, MAC, PHY, filters, then enables receive. Returns false when no
        /// chip answers (EREVID reads 0x00 or 0xFF).
        /// </summary>
        public bool Initialise()
        {
            _header[0] = R.SystemReset;
            _bus.Transfer(_header, 0, 1, _data, 0, 0, SpiDataDirection.Write);
            _bank = -1;
            // Erratum 2: ESTAT.CLKRDY is set too early after a reset; wait at least 1 ms instead of polling it.
            System.Threading.Thread.Sleep(2);
            int revision = Read(R.EREVID);
            if (revision == 0x00 || revision == 0xFF)
            {
                _initialised = false;
                return false;
            }

            Revision = revision;
            Write(R.ECON1, 0);
            Write(R.ECON2, R.Econ2AutoIncrement | R.Econ2VoltageRegulatorPowerSave);
            Write16(R.ERXSTL, ReceiveStart);
            Write16(R.ERXNDL, ReceiveEnd);
            Write16(R.ERXRDPTL, ReceiveEnd); // odd (erratum 14); written low byte first, as section 6.1 asks
            Write16(R.ETXSTL, TransmitStart);
            _nextPacket = ReceiveStart;
            WriteFilter();
            Write(R.MACON1, R.Macon1ReceiveEnable | R.Macon1TxPause | R.Macon1RxPause);
            if (_fullDuplex)
            {
                Write(R.MACON3, R.Macon3Pad60 | R.Macon3TransmitCrc | R.Macon3FrameLengthCheck | R.Macon3FullDuplex);
                Write(R.MABBIPG, 0x15);
                Write(R.MAIPGL, 0x12);
                WritePhy(R.PHCON1, R.Phcon1FullDuplex); // must match MACON3.FULDPX (section 6.6)
                WritePhy(R.PHCON2, 0);
            }
            else
            {
                Write(R.MACON3, R.Macon3Pad60 | R.Macon3TransmitCrc | R.Macon3FrameLengthCheck);
                Write(R.MACON4, R.Macon4Defer);
                Write(R.MABBIPG, 0x12);
                Write(R.MAIPGL, 0x12);
                Write(R.MAIPGH, 0x0C);
                WritePhy(R.PHCON1, 0);
                WritePhy(R.PHCON2, R.Phcon2HalfDuplexLoopbackDisable); // erratum 9
            }

            Write16(R.MAMXFLL, MaximumFrame);
            Write(R.MAADR1, _macAddress[0]);
            Write(R.MAADR2, _macAddress[1]);
            Write(R.MAADR3, _macAddress[2]);
            Write(R.MAADR4, _macAddress[3]);
            Write(R.MAADR5, _macAddress[4]);
            Write(R.MAADR6, _macAddress[5]);
            WritePhy(R.PHLCON, 0x3476); // LEDA link, LEDB transmit and receive activity, stretched
            BitClear(R.EIR, 0xFF);
            // INT (active low) while a received packet waits: EIE.INTIE with PKTIE (DS39662E section 12, Registers 12-1
            // and 12-2). PKTIF follows EPKTCNT, so the pin goes high by itself once PKTDEC has freed the last packet.
            Write(R.EIE, R.EieInterruptEnable | R.EiePacket);
            BitSet(R.ECON1, R.Econ1ReceiveEnable);
            _initialised = true;
            _linkStale = true;
            return true;
        }

        /// <summary>
        /// Programs the hash table filter (DS39662E section 8.4) for the stack's groups: the table is worked out afresh
        /// from the groups plus all-hosts 224.0.0.1, so a bucket a left group no longer needs is cleared unless another
        /// group shares it. With no group every bucket is clear and no multicast frame crosses the bus (all-hosts too:
        /// its queries matter only to a member). ERXFCON switches from MCEN (every multicast frame) to HTEN with the first
        /// call; until then every multicast frame comes in, as before the stack programmed filters. A bucket lets in
        /// about one group in 64 besides its own; the stack still filters by group.
        /// </summary>
        public void SetMulticastGroups(uint[] groups, int count)
        {
            System.Array.Clear(_hashTable, 0, _hashTable.Length);
            if (count > 0)
            {
                SetHashBit(IgmpMessage.AllSystems); // all-hosts (RFC 1112 section 4): its IGMP queries matter while any group is joined
                for (int i = 0; i < count; i++)
                {
                    SetHashBit(groups[i]);
                }
            }

            _hashFilter = true;
            if (_initialised)
            {
                // ERXFCON may only change while receive is off, ECON1.RXEN clear (section 8.1, note).
                BitClear(R.ECON1, R.Econ1ReceiveEnable);
                WriteFilter();
                BitSet(R.ECON1, R.Econ1ReceiveEnable);
            }
        }

        private void SetHashBit(uint group)
        {
            MacAddress.WriteIPv4Multicast(_group, 0, group);
            int bit = R.HashBit(_group, 0);
            _hashTable[bit >> 3] |= (byte)(1 << (bit & 7));
        }

        public int Receive(byte[] buffer, int offset, int capacity)
        {
            if (!_initialised)
            {
                return 0;
            }

            // Erratum 6: EIR.PKTIF does not reliably report pending packets; EPKTCNT does.
            if (Read(R.EPKTCNT) == 0)
            {
                ClearOverflow();
                return 0;
            }

            Write16(R.ERDPTL, _nextPacket);
            ReadBuffer(_data, 0, 6);
            int next = _data[0] | (_data[1] << 8);
            int count = _data[2] | (_data[3] << 8);
            int status = _data[4];
            if ((next & 1) != 0 || next > ReceiveEnd)
            {
                // A next-packet pointer the chip can never write: the receive logic lost its way.
                ResetReceiver();
                return 0;
            }

            int expected = _nextPacket + 6 + count + (count & 1); // packets start on even addresses (section 7.2.2)
            if (expected > ReceiveEnd)
            {
                expected -= ReceiveEnd - ReceiveStart + 1;
            }

            if (next != expected)
            {
                // The header disagrees with itself (a corrupted read, or a lost receive pointer): start afresh.
                ResetReceiver();
                return 0;
            }

            int length = count - 4; // the byte count includes the CRC (section 7.2.2)
            int received = 0;
            if ((status & R.RsvReceivedOk) == 0)
            {
                _counters.ReceiveErrors++;
            }
            else if (length < EthernetFrame.HeaderLength || count > MaximumFrame || length > capacity)
            {
                _counters.LengthErrors++;
            }
            else
            {
                ReadBuffer(buffer, offset, length); // ERDPT wraps from ERXND to ERXST on its own
                received = length;
                _counters.FramesReceived++;
                _counters.BytesReceived += length;
            }

            Free(next);
            ClearOverflow();
            return received;
        }

        public bool Transmit(byte[] buffer, int offset, int length)
        {
            // MAMXFL is 1518 with the CRC: frames up to 1514 bytes (the chip aborts longer ones as giants).
            if (!_initialised || length < EthernetFrame.HeaderLength || length > EthernetFrame.MaximumLength || !NetworkOrder.InBuffer(buffer, offset, length))
            {
                return false;
            }

            if (!WaitUntilClear(R.ECON1, R.Econ1TransmitRequest))
            {
                BitClear(R.ECON1, R.Econ1TransmitRequest);
            }

            Write16(R.EWRPTL, TransmitStart);
            WriteBuffer(0x00, buffer, offset, length); // control byte 0: use MACON3's padding and CRC
            int end = TransmitStart + length; // ETXND is the last frame byte; the control byte comes first
            Write16(R.ETXNDL, end);
            for (int attempt = 0; attempt < TransmitAttempts; attempt++)
            {
                if (attempt > 0)
                {
                    _counters.TransmitRetries++;
                }

                // Erratum 12: a transmit abort can stall the transmit logic; reset it before every attempt.
                BitSet(R.ECON1, R.Econ1TxReset);
                BitClear(R.ECON1, R.Econ1TxReset);
                BitClear(R.EIR, R.EirTransmit | R.EirTransmitError);
                BitSet(R.ECON1, R.Econ1TransmitRequest);
                if (!WaitUntilClear(R.ECON1, R.Econ1TransmitRequest))
                {
                    BitClear(R.ECON1, R.Econ1TransmitRequest);
                    continue;
                }

                // Erratum 15: ESTAT.LATECOL is unreliable; the transmit status vector (at ETXND + 1) is not.
                Write16(R.ERDPTL, end + 1);
                ReadBuffer(_data, 0, 7);
                bool error = (Read(R.EIR) & R.EirTransmitError) != 0;
                bool lateCollision = (_data[3] & R.TsvLateCollision) != 0;
                if (!error && !lateCollision && (_data[2] & R.TsvDone) != 0)
                {
                    _counters.FramesSent++;
                    _counters.BytesSent += length;
                    return true;
                }

                // Erratum 13: link pulses can cause (late) collisions; send the frame again.
            }

            _counters.TransmitFailures++;
            return false;
        }

        private void WriteFilter()
        {
            for (int i = 0; i < _hashTable.Length; i++)
            {
                Write(R.EHT0 + i, _hashTable[i]);
            }

            int multicast = _hashFilter ? R.ErxfconHashTable : R.ErxfconMulticast;
            Write(R.ERXFCON, R.ErxfconUnicast | R.ErxfconCrc | R.ErxfconBroadcast | multicast);
        }

        /// <summary>
        /// Frees the packet just read: ERXRDPT to the byte before the next packet, which keeps it odd
        /// (erratum 14), or ERXND when that falls outside the receive buffer; then PKTDEC (section 7.2.4).
        /// </summary>
        private void Free(int next)
        {
            int readPointer = next - 1;
            if (readPointer < ReceiveStart || readPointer > ReceiveEnd)
            {
                readPointer = ReceiveEnd;
            }

            Write16(R.ERXRDPTL, readPointer);
            BitSet(R.ECON2, R.Econ2PacketDecrement);
            _nextPacket = next;
        }

        /// <summary>
        /// A full receive buffer makes the chip drop frames and set EIR.RXERIF (section 7.2.3). It keeps
        /// receiving once packets are freed, which this driver always does, so clearing the flag is all the
        /// recovery needed: the "deaf after overflow" failure of drivers that wait on PKTIF cannot happen.
        /// </summary>
        private void ClearOverflow()
        {
            if ((Read(R.EIR) & R.EirReceiveError) != 0)
            {
                _counters.Overflows++;
                BitClear(R.EIR, R.EirReceiveError);
            }
        }

        private void ResetReceiver()
        {
            _counters.ReceiverResets++;
            BitClear(R.ECON1, R.Econ1ReceiveEnable);
            BitSet(R.ECON1, R.Econ1RxReset);
            BitClear(R.ECON1, R.Econ1RxReset);
            Write16(R.ERXSTL, ReceiveStart);
            Write16(R.ERXNDL, ReceiveEnd);
            Write16(R.ERXRDPTL, ReceiveEnd);
            _nextPacket = ReceiveStart;
            // Whether RXRST clears EPKTCNT is not stated; count the packets down so none is believed in the buffer.
            for (int i = 0; i < 255 && Read(R.EPKTCNT) != 0; i++)
            {
                BitSet(R.ECON2, R.Econ2PacketDecrement);
            }

            BitClear(R.EIR, R.EirReceiveError | R.EirPacket);
            BitSet(R.ECON1, R.Econ1ReceiveEnable);
        }

        /// <summary>A chip that reset itself (brown-out) has receive disabled and the reset ERXND: set it up again.</summary>
        private void CheckChip()
        {
            if (!_initialised || (Read(R.ECON1) & R.Econ1ReceiveEnable) == 0 || Read(R.ERXNDL + 1) != (ReceiveEnd >> 8))
            {
                _counters.ChipReinitialisations++;
                Initialise();
            }
        }

        /// <summary>Polls until the bits clear, for at most 50 ms of the clock (and a poll count, for clocks that stand still).</summary>
        private bool WaitUntilClear(int register, int mask)
        {
            long deadline = _clock.NowMilliseconds + TransmitTimeoutMs;
            for (int i = 0; i < PollLimit; i++)
            {
                if ((Read(register) & mask) == 0)
                {
                    return true;
                }

                if (_clock.NowMilliseconds > deadline)
                {
                    return false;
                }
            }

            return false;
        }

        private int ReadPhy(byte register)
        {
            Write(R.MIREGADR, register);
            Write(R.MICMD, R.MicmdRead);
            WaitUntilClear(R.MISTAT, R.MistatBusy);
            Write(R.MICMD, 0);
            return Read(R.MIRDL) | (Read(R.MIRDH) << 8);
        }

        private void WritePhy(byte register, int value)
        {
            Write(R.MIREGADR, register);
            Write(R.MIWRL, value & 0xFF);
            Write(R.MIWRH, value >> 8); // writing MIWRH starts the PHY write
            WaitUntilClear(R.MISTAT, R.MistatBusy);
        }

        private void SelectBank(int register)
        {
            if (R.IsCommon(register))
            {
                return;
            }

            int bank = R.BankOf(register);
            if (bank != _bank)
            {
                BitClear(R.ECON1, R.Econ1BankSelect);
                if (bank != 0)
                {
                    BitSet(R.ECON1, bank);
                }

                _bank = bank;
            }
        }

        private int Read(int register)
        {
            SelectBank(register);
            _header[0] = (byte)(R.ReadControlRegister | R.Address(register));
            int length = R.IsMacMii(register) ? 2 : 1; // MAC and MII reads answer a dummy byte first
            _bus.Transfer(_header, 0, 1, _data, 0, length, SpiDataDirection.Read);
            return _data[length - 1];
        }

        private void Write(int register, int value)
        {
            SelectBank(register);
            _header[0] = (byte)(R.WriteControlRegister | R.Address(register));
            _header[1] = (byte)value;
            _bus.Transfer(_header, 0, 2, _data, 0, 0, SpiDataDirection.Write);
        }

        private void Write16(int lowRegister, int value)
        {
            Write(lowRegister, value & 0xFF);
            Write(lowRegister + 1, (value >> 8) & 0xFF);
        }

        private void BitSet(int register, int mask)
        {
            SelectBank(register);
            _header[0] = (byte)(R.BitFieldSet | R.Address(register));
            _header[1] = (byte)mask;
            _bus.Transfer(_header, 0, 2, _data, 0, 0, SpiDataDirection.Write);
        }

        private void BitClear(int register, int mask)
        {
            SelectBank(register);
            _header[0] = (byte)(R.BitFieldClear | R.Address(register));
            _header[1] = (byte)mask;
            _bus.Transfer(_header, 0, 2, _data, 0, 0, SpiDataDirection.Write);
        }

        private void ReadBuffer(byte[] buffer, int offset, int length)
        {
            _header[0] = R.ReadBufferMemory;
            _bus.Transfer(_header, 0, 1, buffer, offset, length, SpiDataDirection.Read);
        }

        /// <summary>The per-packet control byte and the whole frame in one bus frame, straight from the caller's buffer.</summary>
        private void WriteBuffer(byte control, byte[] buffer, int offset, int length)
        {
            _header[0] = R.WriteBufferMemory;
            _header[1] = control;
            _bus.Transfer(_header, 0, 2, buffer, offset, length, SpiDataDirection.Write);
        }
    }
}
