namespace IoTStack.Firmware
{
    internal enum ServiceKind
    {
        None,
        Echo,
        Discard,
        Chargen,
        Http
    }

    internal enum HttpPhase
    {
        ReadingHead,
        SendingResponse,
        StreamingBytes,
        StreamingEcho,
        /// <summary>Waiting for a name lookup (GET /resolve?name=...) to finish.</summary>
        Resolving,
        /// <summary>Another session is sending out of the page buffer; this one renders its page after.</summary>
        WaitingForPage,
        /// <summary>Sending the status page or /stats from the page buffer.</summary>
        SendingPage
    }

    /// <summary>One accepted connection and its fixed buffers.</summary>
    internal sealed class Session
    {
        internal readonly byte[] Request;
        internal readonly byte[] Out;
        internal readonly AsciiWriter Writer;

        internal ServiceKind Kind;
        internal int Socket;
        internal int RequestLength;
        internal int OutStart;
        internal int OutEnd;
        internal HttpPhase Phase;
        internal long Remaining;
        internal long Position;
        internal bool KeepAlive;
        internal bool PeerClosed;
        internal int Query = -1;
        internal bool Http11;
        internal bool PageJson;

        /// <summary>Where this session's page stands between chunks.</summary>
        internal readonly PageCursor Page = new PageCursor();

        /// <summary>The page goes in chunked transfer coding (longer than the page buffer, to an HTTP/1.1 client).</summary>
        internal bool PageChunked;

        /// <summary>When this HTTP session began waiting for its current request head (accepted, or its last response done).</summary>
        internal long HeadSince;

        /// <summary>Chunks of the page sent so far; -1 once the last is queued.</summary>
        internal int PageChunks;

        /// <summary>Bytes of the current chunk sent from the page buffer.</summary>
        internal int PageSent;

        internal Session(int requestSize, int outSize)
        {
            Request = new byte[requestSize];
            Out = new byte[outSize];
            Writer = new AsciiWriter(Out);
        }

        internal bool InUse
        {
            get { return Kind != ServiceKind.None; }
        }

        internal void Start(ServiceKind kind, int socket, long now)
        {
            Kind = kind;
            HeadSince = now;
            Socket = socket;
            RequestLength = 0;
            OutStart = 0;
            OutEnd = 0;
            Phase = HttpPhase.ReadingHead;
            Remaining = 0;
            Position = 0;
            KeepAlive = true;
            PeerClosed = false;
        }
    }
}
