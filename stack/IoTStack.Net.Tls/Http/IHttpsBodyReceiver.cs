namespace IoTStack.Net.Tls.Http
{
    /// <summary>
    /// Where <see cref="HttpsGet"/> hands the response body, decoded (chunk framing removed), as it arrives. The bytes
    /// are valid only during the call: the buffer is the helper's own and is reused for the next read.
    /// </summary>
    public interface IHttpsBodyReceiver
    {
        void BodyReceived(byte[] buffer, int offset, int count);
    }
}
