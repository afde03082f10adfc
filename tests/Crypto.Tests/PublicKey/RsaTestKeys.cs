namespace IoTStack.Crypto.Tests.PublicKey;

/// <summary>RSA test keys generated once with OpenSSL 3.0 (openssl genpkey -algorithm RSA), so every run signs with the same keys.</summary>
internal static class RsaTestKeys
{
    public const string Rsa2048 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDMNtnZTGvPv/94
        c39xX+/LHwvLgotU6omr4XhMOlzG93CW4m1iIMKcXE2RGDD6mBi63Nc1D8gzTJ+2
        WwQioEcBM1vUpWq0PDeIsWZsIBetIA8JVpLyCL44HKmQY5oWEnhBCvqPMUQgMdBN
        /WPxTV0IoXmS1jp+WkIIVkrwYTF3YRo+0OtOruwcV2acP+2qBqYYS4tv8IOBa3lo
        DNZ/XKqKPaKMh2RVObA7owdmvYMh0lIq+Wfg3HAEolce5Oa0gJfY/+IlQS4fkC6O
        DDAbGWLDkQ4FlHtGES2erCyS7apM1lvyI0F6/jIGGATIWPEwRt5LxwGNxieTFlrB
        yaUUAY4XAgMBAAECggEAHukukHXA2/Fz+geBgufCpDxOzL811+Sochvu2Zr78CIE
        KNKdO/05d/GAzDWdNFFRbPeAm8eHxjwS8MdWGOep18SuYcGoJR/4R/iSSEuTSeFQ
        ZVl1ZK1uHZA5GmH5MN4a1b2Tr5kFdtoTbbqtJhlPu761aESFFhsTY6+sKDaOBkOm
        0FPURIed8NjXJWss/AvDdxx13wTeqEaMoFTJMzeO80MXplMmluUsgmKSxxOlk7u1
        OkWEeKIGkq9zqExb/6bJQpCrxBP9dehHGQDHOn3zrdeOtN2NFqc5vVg+BD5lICEk
        IBfF3lHPDq5/xlolqUKEGGRSmhdZPCHcuJszHF4mAQKBgQD/cz3E9MV3o7llmv8I
        BfDGR2fHJTynC7HoRdwHmpkfrJavrc4nRnd6iNSTpVHEzOCjkK7rnzJtIZjndinG
        Mg2r/yR438Gw6klOVYXprnom2/zwnyht4e0zpPL4fHtbCDk7Pwgx1J+pXBr7cT61
        2/Q/5NCcHnluCc7xcOZ6ePEaNQKBgQDMp2CoMzSKIvii6GtdMk+xfyME0kVDWK/x
        k0ophpoyOa1GCI+davIEx+Ngg1HRIolmMLktBt07VUFtZQOv49J8IDUN5bXz3mtJ
        5BbJBhacODe2rfNvJAd524fGWJqISWgqk9S2t+0Nmy/dCM7F+hlLII08L3SwxoPh
        M13owkHwmwKBgD7ZH41hm2PACFETPUPAEmj2EHZSlwWSPwciiOvmAV5lm/1FCb9n
        +uVO3N4mgmOk9G/JnP+jf0iSR4hK7iQxFGQItfR3OLRKMBbxu6yunKcK4MRipBPE
        zhMytgSku8S91TbaXy3DXjTQ0GKkjgU4RHOj3B9M8Bs+loeYe1wOfWMxAoGAULjs
        fSvFW38zxz4Zqyb/HCnjrDEsNMY0j/ri08JN6+WoHOmfjB303EHjw9vIV89hlrc9
        My9z78VPC1E+xQ/9pAwoIRUsUca3VuvquNv36yKZhyrRzFLPyBb5VRj5yyv5NGIf
        Evs1O5qspGim9pwRgfqS+txVEK0cs6VJM1f8HmUCgYEAqZbl2g4C3uxirfwe4syj
        BvgkxKjkTFU5tLJjuPdIyWpdGN0O6MI6VO3bkf4+vENVZvcLfbMgbH9W8hpULCHg
        geV0E/bTENDk/L4SkGi7n9Zxd8rbbTkSaAQyLYuQ8TtMlE/xFQ3ocjBd0pfLfiGo
        YKfH4Z8akGUPMXqDQbQtd78=
        -----END PRIVATE KEY-----
        """;

    public const string Rsa3072 = """
        -----BEGIN PRIVATE KEY-----
        MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQDaRCkist6BqT0/
        vu57IiArIQZ6nluZg44UnFzUhY7oYo/FMqe2m/iQbPacszSRJEu45stxbCZsMp4v
        wgyYdMD1yvuiaN/iabwv895RF2kjWqtN2KQiuOPW1nL8LWddEnvGVKz5xULwKcQR
        5/0hHX/lqUXjvGbgmSdRC12tzkbrwDkeXJtfM8LJBTjK0Ng/DlUPo213xCqwAOS8
        qgkHqB6rMsBATIkIc7NEnJR6k/bAPSwJZ9aqd66cH0aV75gP5+HF+4Xu+UU4ocEI
        5LgBaQaUo0h8gUABo8mNXHXhXX+l9QEIfndIKYgXhivNKwZj7ErPSk0hrVXjYzpB
        hufp/eOYejwzVh/2mK1K4EUOyST5A23KlK+3Or3Qvi++FH8amnvSGkG/bfDBGsnj
        8caG0n7nKONlLNqo0qKPVCJblwNNAR27A/ZnOZBdEzPF3tqxi1y5PyFTSRYvAPuU
        vkMwUVlmo9K3vc8WZN6CHmgm49tChPQehjNLyrV4FFMXgQkE5HkCAwEAAQKCAYAO
        E3g9qyBrZ0Eyc7tIiJ5fea1DyiOpJlFK5fycnhJlzTltY8NqJOvmUIik+W+p7pfN
        kGDNa0adErSd6ttKF7l8AH+y7SWHIf+HbihHvYVDyOykRBTtwlO7PrBCsCDq4S7H
        Tx2qq/yRpXfmGbp64L6nTn/Z3IQb9vSQpvV/KH7tZEOqwBkrDhkBQstzVP2lL2Tv
        8b+1Chsgp6YYvrR/YGm967N3UhhCScflZF20/AbdRfSplJ9E9hv2KJQyRjXdzLvl
        qqq6aUiNX2VQZN2axmeUl5SS7ECzRn2gRCdkcO9fm1C0udXgFlhAxX8rO2cshBFU
        l4c0uVB1izT5nM9cVdnOpArSje/EjRakNdND6ukuQ2eMYGxoHvPECGB5C4PZgamy
        ppOY88OWUjL4cOZ/j9QCY3LAKxTUZxqVD5NQKR6cSM8W7igNxmiIweGzBOUUSpm6
        TV7q4RVBGghwdx7PV42WG8+ZlqVVFJTtkg+SMvuUJe7Y1jb3M0/x/1TqzDY2sRsC
        gcEA/aKslexxv94WnNgUqTmLUTqb8FBeKwW83PZu+21sGDuuWdg3qvxHTVmS7/3u
        dypuNCwdovfNELC8lBuSRrdQAV15MWDHxvXRaFIUMwKGmIjpDMTBvuB0E9HHB6kO
        IMocBA1TouANBY1+jb9cKsHDaJhkcFa6EWoOtuUVV2uzpgaQoLWrXTTWMuNRmfA7
        dE32bv9d2yfzs5sDuoDL3QJzcMG4IocRjdm+y0dluem5/v5gnbfYZzJBDpETfnTU
        zk6zAoHBANxNExEICxDUOGlQFUS9682PTsjkjmazzNze0xrbOJ67k07iqUDLOtjJ
        asGVAeHXClOnVCerIrXTUZ+fTi3JdcpNpOX9Ufp2188GB862WX98QZUUmVnRloL6
        u8oTUWreFL1JRfeGIlto37mpOkToY2mE0+YoiIAnUGP6XrYRZqT8GnWKOnJxnRyA
        1pQTr16xqbXoGurhMdsNMzYfGpB+DnjfXZRhmTz1AAbakxT3HWjd0+76w9YC9Whv
        mTviBCBWIwKBwESSFEK8F8ydiFOC/6L4kbe2Nq5zq+HJvVOntD15Sb4LdImJsRMi
        /UvmKZmEd1H0QLMOMjz67Y/TmEgaZCOGL7UOxlMZLSmXD7Q6bIeV6TmX2hm/n/mw
        yPEKx9pEVDN9MLHPwIrKM/sKU+qSj6JnnCLNAGp2p/tJRw0fRfPKhFkgcT1hoCCk
        xjwfxNHvZsN8yGEd3QwA8xvdjtZ/N55aqUcUuGltRsuo0LI4bUIj9EsCDrDVIUZV
        Cc2cXz7S6y2TjQKBwQCNwAYpqkw8euEFWmMlBTNJ5BEkkHPUP5Ls929MU4xeDoHd
        e1i+eUYXIZrQjolUgKKDayJqF+LQrfVSSRXrvjpNfqJA3ju2dmusKMwzRP/XWON2
        Angd5A79nkng34c+xUEA/rnHaAaJXLS/6NS2a/UzeyVBbglOtH00p2/zpMSwGgsI
        YHX1F4epRHlNdFEeFCEIDB3tzhLfSOIPy/myyXmUatzy0c3g/CAVSOTk05CX3kw0
        9CO4e9TeaxhlAKv5BpMCgcAr3nUZyDvjspL7HXBHa907tMMBezph9/c0u5kDLzJN
        DFt0AGekJ6l6/xbefQBLlTFeHkiYQoCfSmtGzwdVg/7RYk99mMun0a3wxbQ92XKt
        4MzaLB0eS2upFBX8po8dHDjrKAu00o2VK/6yWgm3fxdN8vUXG1rkfHezed3HAxO1
        d317POINFqGX3V1MtounINVuQSHow1jVqCA1QHopkoAxxF/7Ee5lIpSuxUjcPHSv
        LNXm5A/3OKaxkMVoxVh7+Us=
        -----END PRIVATE KEY-----
        """;

    public const string Rsa4096 = """
        -----BEGIN PRIVATE KEY-----
        MIIJQgIBADANBgkqhkiG9w0BAQEFAASCCSwwggkoAgEAAoICAQCaWoq6MFObuzHB
        HjmlvAm0gk/c6UKrGMc3uY8j7uBta5Uc9cdRJc18mWm2vHOF2rNIdXeOW2/Z1qaI
        IV9T39MXEJjQ/DwQZwSAKfTW6YgTtKdfTxvpI0A7XQnfQVmVDmm+PqBKBEemVo+r
        R8u9nXGuM+22w5kkAy/nVnFN0Ygxf4WQVBu6s16hatQ8y+KSrDjlAJQnzhlIdiQ+
        qWtLjb23fb30Lk4i9JK6qN/mh4FskPWF9zvSqVyQHu87fbi/BmXebajNc1/mwnxI
        EQtsWgOpNkdDbpOWSiWtJlb17CKUMFbIS7IfW/OOQLxMhpBLLuJkPwr8p/wGKacG
        4FXt6A96x2Pnf/JYnRsfQ6Hr8InC38axXXBqckssnuvRkbFoTz8wq9PzcCnJtOwf
        cIUIDl0y6zK+dt1LSL1PdkayNhxAJhv+h3icKYoqn9dIJGVvYv1xTJ1AUPd485Bk
        Q0UK0Re5wOjwIHif2d8xt7RkZFT6bZjv5Z+bO9EVINOrGvxPfegpRwteQ5Te4GRH
        SS52wVasW17Igjsglbol8DboiBnan2T+vEUQ1wSVQ0y5LqOSueEsJ86aik5stkhb
        dqtvZWKmn6X0tm657bi4rSP5gxX59T1s3LGkcVvsgfLNz4pSa8qc3SOGqKkFT6kQ
        CFv3VV4M1sNV1Gbbtw09MOdru3j2gQIDAQABAoICAASrc0Ot9EwXfyJByI5CBrBD
        0mAnXJJ0AlwuQoFUk+ysiOVAfm1PF7D+rFAMclFnCgYx01Y6wALw7X6sJYviV0rV
        AD4PmP65KqW42zrko56+wBLsIA7S/6miG1syOThPMGnaf7+AgtVKfHAK6OwXjSe/
        Q4B8WTvhpq2E0AKJ6aEfe8A/qqt4u27WTkWo+I293Q5o0Kql/53hkN/2UMAnUYlh
        cgWXAGs6X21rMDOrhyHkbnClN8WkNQApVu0TnQsWsb6XjkgprsG6wd89aIVIkYB5
        M2GL6QY2n95dxOsNj+fgQOJgN6M/LTKRNN8q8absJBpSvdGiMIfEUyTEJQZgp0Xw
        ZV2+umbST0G4Z2AaP5eUIzF8etUa7pI3n3q9Y/Zt0xy6mG6iMU0FWyy6hW++NkNa
        HmnJnRP3YfBrd53oQwtRGEwTWfDt8DLXC+LDxoXyQEKZ7ukqAgZDbOew361NXttj
        393Nwx0oqdHjBzfPjAlVjcVZH8HAIrs7ZQJjokEp3IQMCX8uSoWhGye0MHJ7LRhm
        JTD5DNHktNl+rQJZqFgiFn6Tr88kpQvoKS1EHj209sYnZlTQ89Jh73nAIgHrnKdF
        qxYeaM3EtmR4r8B1tNt1XInm2gsI5hjzeGhwOwZS0uBDVYgXnRdmjDZPQ5NsNcCY
        6rYpxA/zgrwDLf65E0ehAoIBAQDNH0cAyHtQcJEdezuJu6OeGqxmdHsM3uIgjLPf
        WCCjmpuspRfmciAnQc0qr70BNpyt7b1pH2LfIz3Zy/IhgQ9D8CaTKNDQNguZ5TAd
        GVXtXZCoxT+tY/LumCpI5uiv4F0amqMYeMv8jlqBZsNMHca3O9ENc5nydxpL/DAn
        frtDb/W0u4SvzgQS7yLxNE2Dv1dhFd7KaP0mrC20+cnV2pOb3WIV+6Vb+whZ8LRX
        dz4r63bslz+lusXZsc4uRSoheZ1Hww4YuEO6GROqZB/PinB19IZ1Gc14bui/BRHQ
        Rfk/CJCu4PpHXen3571WkZh0WfsZ7eYb8D3nLm5Bnf0qRaihAoIBAQDAo5j1o/YJ
        xzw5f3/oHhpzGaiuZWhY8dJZxi4bbDkF7PwZ4pjqEPuXEtVljdusiw8O841kDo3x
        oBDfcxBfsXcg7lOBxJA3qlOQ3HBc9ekLyaAIc5clVlw8nvXUWBUfj8OvsbNynn8o
        N7u53+r8taM/oNu75vXiwmQToR08LBKcDLuKI8LU9UD5Fg6D1TIlT8KIlCn/osrk
        tUPzTf+YHMpJ7Ph61oRMBM2E7thNSvo9axZKrwutE1YRDjv1Tvp+9YXyYBTsu8LA
        xk+mrFnnBXICoMYLBjpkDfh9yxc4OU5WKo88/EhbkovYVvyJfzvGamf9Pyv6ZWyS
        vQV9NUtboyHhAoIBAQCvRcqmIKk+UvGs/2AgkPV+Y8xsv5tlpA4VQiVw8xzwr2vW
        WjvR7jMLWG63yvL11nSLKlpvOSKDCNoRAPQlLOKeataLaJUFVSkUl4JFWyDRcuHp
        VKLUxlMPDXcUVDsADfeAhCJZBt9HL1ymteirYcYrTDGWDPG+/Ya65wM+vEvHlCOg
        C5uVnbRdeXmiIc8ahKVlkAqPaqbmJLnpqoeM9Pisdr8Zia4Cqr64G7X+ByZY4Rr9
        j0ATnUTyf7xuTSty7zg12bZx6QH2QvdK4cNM1D7Ei+1YonOwNRUsJGjUTvZrpiX7
        SMKTuOvzqVFgZ4id40VtIps9xEsg/8u2xglN1bgBAoIBABkX9n/hCNbDPkQbKLU6
        3qUprYByM0KK1aTeHPlzgoYUFc7lZpfu+Gb4jBW7gecbAi4nab6j6reT6z7ARVzB
        yEvg373itgqaRGJ1ZKmnWuEvNYqETCcP9dnrtwgfJTlER/BmDIMcxGGfyPNwiLK8
        knRiZt02O8d7HQA1l5JUB2SOgAuBlwqYnAsWZXOk3PBhUGzsKABl21ophp12Bppw
        /aTdmoydzwP8CC2N011WK/y+K1w1Kyczgp2cJhFRZW4OW5F0FKW126uy6YNDpj5i
        xjQzbzjWadrIuxrfzrmDNYIh7yC5mE9dapwW0LS0fzvcdolVpkvq1FbVCpcBzzwz
        puECggEAG4M6b+0upAJ6JkdUbwHm6Zz/xlCr7pCY8k+pwW0vo/5i2CTU55VnAO1Z
        mbI7nmqFWJxAiHklgKN6rporDdePFoz3hd4U3EJOLZIz/Qv9lGa36dUXg989mcTV
        TdFh+gWntjhesSTAxecyTkfSjuHuOCx+pWjFgyGycGInTktlAXTVwiotX8NS9e9V
        VSqgZdMaNnbaoGhbFhAzLZmFLHjC9tv1LSYrxF8bLS/AjPYdFLLibb636PMvtAL5
        CPdpz1IEMBlIfDbObTkBAYE/YlRmM57oueHG1ZQjNBsyFILfi1aW77fJi87cvDKN
        +VYOPLTbyMho961gCL4d1TSRAd1LTQ==
        -----END PRIVATE KEY-----
        """;


    /// <summary>2049 bits: emBits = 2048 is a multiple of 8, so PSS's encoded message is one octet shorter than the modulus.</summary>
    public const string Rsa2049 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDbXLaAoMKeu4HO
        nTTRkCxsv22OOYkyLeh62njqa5ASZQe3ZL/lkAjPejzbGJauzCSVvq7abpfuckAG
        +21H8VjePy6Xztg1xOHWpc0Sc//kZqLINdOgFSPhhvTLnprf6D54hPaqCGZizinT
        x+mgmfbs4pP1O80O4jhOb1SX4qbVlWY190z4s9JS4mSbCsQoT6IVpSrsggk1aDdY
        HbcP3R4/7CylQizcOJn5BMeFnzqcpYWqZ7Gq5FnoI5GDNhVKN46RYOlBsHWwMby0
        SQGsdkrUUTTeiiJkPdDKMNtscFKKwcckoABO8i6AiOMa0dh9NZNw4K3v6EAIPfHC
        BNsOLmcLAgMBAAECggEADuHJ1zfQ1vr/8ff+stmgoe9qFn7hx2qPk0d0x5aXi3VD
        jOtut2YfquUZ8X/yt8DNb0P5/INfQa6KQyRV7s5kCePocc/MdvgN8vAvAE79Wnik
        wjIgqC4hpTXGMCA+VULI0N1YbK2tizYoZp/xQijf3y9PUWZcDDlIZPiEQ9pSbjqY
        cdSZ6KtAxfbX0WMhOY40KP8phHKVEJ0LzlI3sB0yD7BGIrawCEnc2zGHhinxvJPL
        0vVFdWi2wr90YthIK4j4ayMf6iNGpsvzvhwYxCKH9DpSOk2zPuBV1YDRVuoyd7ll
        ovNnAeFI4bqkhXpc7xBNJH74OrvHpyylj+J0I/yQCQKBgQD+bg8E4Me/0KSPP/fV
        CSQIdKOiJ61dBHlN2GSaRIT4E1KYJ5hsoTdbgnN+p+YAFaxTj85aJih1Rm0IZQET
        nPbbqw0L/QopIr6CoxcvtPNOTvZtQuyeuY4MZ1m0ol4qrxl6jTgwLWCIjnLzke1e
        nd7ER0CiqW3USCDB0IV3YeBVYwKBgQDct0FSQnGM4Kv9+SCywpR0s1NwDVgXzVsY
        evi5x6z4W9BCm0SouwZ5qM0RCI23GGc2khsH40Q/GRj55Tvd9dmguk6VWR36DwhG
        JTPXsSxJ2h81ZEmLRa5anZb4lsu+tN4QyVyMpLbPJEXYV9pAYqQdVgLYDs9EpfJn
        LYCT7TZMOQKBgQDHHqdOcASkD8vZ+HwjE+ZJX894Zoj9FTVCQSpquVk/NRAc2FAo
        I/vI+E0fQJN2WX/mXdNnJhnfvmAyg6nWCbAAttudGEnNa82hO7Y3tev8yzt8wzWf
        +yQ6fN/tyGzeBu9vw/nHapv0A1ffW8NjmzXucr0ZEHROAKzyQhlSFx2UdQKBgFii
        RtsPz6WxO6BcASOIPDG5KdKfqTa1wtVL3MJOS0nZJQL6c1IG+Qy2GtOySaazaA9k
        EPLT8z4biAoiYi46YlDHQHN9PCqFCt+QZQdDIPPvYgUA5v/E1cWR72SYue01mM/I
        7R+Vrcv1Vw8QCJc+hYU6Wx4EpHt+4J9KiI3e/qURAoGBANjmIM8598vY56VkY/nL
        n906c36lus6eRzfs+/lYaQ9qeXCLvpIU5+aM69HA07H0iVRrn3xleUUL0VhE76gr
        CJX5/m461LltLc56MXZDeWGKqE6/tGRD4xE3G5FFg4rDWOZ+8AXdh68kSpSdkpr1
        kdpHlfxZgMNzY8dDSapYOYoX
        -----END PRIVATE KEY-----
        """;
}
