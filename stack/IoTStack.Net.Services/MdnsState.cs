namespace IoTStack.Net.Services
{
    /// <summary>Where the mDNS responder stands with its host name (RFC 6762 section 8).</summary>
    public enum MdnsState
    {
        Stopped,
        /// <summary>The interface has no address yet.</summary>
        WaitingForAddress,
        /// <summary>Asking whether anyone else holds the name (three probes, 250 ms apart).</summary>
        Probing,
        /// <summary>Telling the link the name is ours (two announcements, one second apart).</summary>
        Announcing,
        /// <summary>Answering queries for the name.</summary>
        Ready
    }
}
