package dev.cipsec.transport.dtls;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/** The pre-session classifier looks at untrusted bytes: it must never throw, and must recognise real ClientHellos. */
class DtlsRecordsProperties {

    @Property
    void anyBytesAreClassifiedWithoutThrowing(@ForAll byte[] data) {
        DtlsRecords.isClientHello(data, 0, data.length);
        DtlsRecords.firstType(data, 0, data.length);
    }

    @Property
    void aClientHelloIsRecognisedAndEveryTruncationIsNot(@ForAll @IntRange(min = 0, max = 32) int cookieLength,
                                                         @ForAll @IntRange(min = 0, max = 13) int cut) {
        byte[] hello = RawDtls.clientHello(new byte[cookieLength], 0, 0);
        assertThat(DtlsRecords.isClientHello(hello, 0, hello.length)).isTrue();
        int len = Math.min(cut, hello.length);
        assertThat(DtlsRecords.isClientHello(hello, 0, len)).isFalse();
        assertThat(DtlsRecords.isClientHello(hello, 0, hello.length - 1)).isFalse();
    }
}
