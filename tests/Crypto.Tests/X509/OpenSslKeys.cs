namespace IoTStack.Crypto.Tests.X509;

/// <summary>Keys and a certificate made once with the openssl CLI (OpenSSL 3.0), kept as text so the tests need no openssl. Test keys only.</summary>
public static class OpenSslKeys
{
    /// <summary>`openssl ecparam -genkey -name prime256v1`: an EC PARAMETERS block, then the SEC 1 key.</summary>
    public const string EcParamGenKey = """
        -----BEGIN EC PARAMETERS-----
        BggqhkjOPQMBBw==
        -----END EC PARAMETERS-----
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIOl/GOcVTwFLFEA1xFF0b2dNPYx/FxMXRsug3CzrF02ooAoGCCqGSM49
        AwEHoUQDQgAE7Q8EUAxRs9R4z85fbTF+jJ2qr/Pf8tEnbG9iFaxajqLc1De+EUc1
        bfTyBai9o3xEU8uA3cG3MNbQaKfITFj4rA==
        -----END EC PRIVATE KEY-----
        """;

    /// <summary>`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`: PKCS #8.</summary>
    public const string GenPkeyP256 = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyNb9rCLHsBdCOGHY
        Z7Jgz9RNN6qHSnJKdvxXjQfXtomhRANCAATuA0znl5D7baS/RbT0SyTdXZS8sVoA
        ZRmUFjebjEJ2NjmSpHKToskpvIueC4VyHhqlcrNH/J5pb/xiOk68nj1l
        -----END PRIVATE KEY-----
        """;

    /// <summary>`openssl ec -aes128` of EcParamGenKey: the traditional Proc-Type/DEK-Info encryption.</summary>
    public const string LegacyEncrypted = """
        -----BEGIN EC PRIVATE KEY-----
        Proc-Type: 4,ENCRYPTED
        DEK-Info: AES-128-CBC,141EB7B5E14E7DBBCBBCDC17F7DE9AC8
        
        vP+PsgjzYk6QIVrqjdoAxJ9R3f5A5yAAwDbI8IDeMsXgcp4jZk1gdNxpRh1b4kZU
        2Ys1edUynjuX/E6pM7599V0t4vFsC2qhtJDj7LuVu4uf1OTgcevllTE3XlVlEbRj
        H3Z+NHJ3gT/WuZyb47nu37zkWc1o0Z9Fu2bQR4zWj18=
        -----END EC PRIVATE KEY-----
        """;

    /// <summary>`openssl ecparam -genkey -name prime256v1 -param_enc explicit`: P-256 spelled out, not named (RFC 5480 forbids it).</summary>
    public const string ExplicitParameters = """
        -----BEGIN EC PARAMETERS-----
        MIH3AgEBMCwGByqGSM49AQECIQD/////AAAAAQAAAAAAAAAAAAAAAP//////////
        /////zBbBCD/////AAAAAQAAAAAAAAAAAAAAAP///////////////AQgWsY12Ko6
        k+ez671VdpiGvGUdBrDMU7D2O848PifSYEsDFQDEnTYIhucEk2pmeOETnSa3gZ9+
        kARBBGsX0fLhLEJH+Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT+NC4v4af5uO5+tK
        fA+eFivOM1drMV7Oy7ZAaDe/UfUCIQD/////AAAAAP//////////vOb6racXnoTz
        ucrC/GMlUQIBAQ==
        -----END EC PARAMETERS-----
        -----BEGIN EC PRIVATE KEY-----
        MIIBaAIBAQQgZdL0sDHds2Uyb99ctF4Avg6RTb1PWCUFBIalvO3QILGggfowgfcC
        AQEwLAYHKoZIzj0BAQIhAP////8AAAABAAAAAAAAAAAAAAAA////////////////
        MFsEIP////8AAAABAAAAAAAAAAAAAAAA///////////////8BCBaxjXYqjqT57Pr
        vVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMVAMSdNgiG5wSTamZ44ROdJreBn36QBEEE
        axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54W
        K84zV2sxXs7LtkBoN79R9QIhAP////8AAAAA//////////+85vqtpxeehPO5ysL8
        YyVRAgEBoUQDQgAE6K0Se1xXgg33PFTXR//TivD1/QXFxC4rQ9QiS3T3oOwiol4r
        YeVdHr06Lj6/6EHNTns9LecYykVZuQMWCsGVUA==
        -----END EC PRIVATE KEY-----
        """;

    /// <summary>`openssl genpkey -algorithm ED25519`.</summary>
    public const string Ed25519 = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEINAHMELO+sGw8BwTxGw5ln+rPQvqd7pZEmaNslpK+eRC
        -----END PRIVATE KEY-----
        """;

    /// <summary>`openssl ecparam -genkey -name secp256k1 -noout`.</summary>
    public const string Secp256k1 = """
        -----BEGIN EC PRIVATE KEY-----
        MHQCAQEEIKa4UYzaYH5S/LVAu4RcyHPa7TM18SRkvAM5orrykmgLoAcGBSuBBAAK
        oUQDQgAEGpcpYE98LcIxLm110Yu6K//whCqRXLpyzgwRThnRk0LZpSJcITrpYGkD
        rKHU0jSpQWDKZ3DaMkRQO9UxnG0ZvQ==
        -----END EC PRIVATE KEY-----
        """;

    /// <summary>`openssl req -new -x509 -key` GenPkeyP256 `-subj /CN=board.example -days 7300 -sha256`.</summary>
    public const string BoardCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBhTCCASugAwIBAgIURRunEdG/xZYNnSQspsu9+FdwN10wCgYIKoZIzj0EAwIw
        GDEWMBQGA1UEAwwNYm9hcmQuZXhhbXBsZTAeFw0yNjExMzAxNjAwMjZaFw00NjEx
        MjUxNjAwMjZaMBgxFjAUBgNVBAMMDWJvYXJkLmV4YW1wbGUwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAATuA0znl5D7baS/RbT0SyTdXZS8sVoAZRmUFjebjEJ2NjmS
        pHKToskpvIueC4VyHhqlcrNH/J5pb/xiOk68nj1lo1MwUTAdBgNVHQ4EFgQUmxGy
        hKGOsFoWL3HP0ndrzI8LR54wHwYDVR0jBBgwFoAUmxGyhKGOsFoWL3HP0ndrzI8L
        R54wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAsyPR/9Ugn1e9
        ws1JP9I2fd78fNeBkC/xKAJF3Ccuz00CIDmlPV2ukaveOrOG4eLERxakyBtTjXap
        SriD5FC/OSUK
        -----END CERTIFICATE-----
        """;
}
