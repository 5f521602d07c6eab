package dev.cipsec.wire.cm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExtendedStatusTest {

    @Test
    void namesReferenceCodes() {
        assertThat(ExtendedStatus.describe(ExtendedStatus.CONNECTION_IN_USE)).isEqualTo("0x0100 connection in use / duplicate Forward_Open");
        assertThat(ExtendedStatus.describe(0x0127)).isEqualTo("0x0127 invalid O->T size");
        assertThat(ExtendedStatus.describe(ExtendedStatus.INGRESS_RULE_DENY_NON_SECURE))
                .isEqualTo("0x091A ingress rule: non-secure connection denied");
        assertThat(ExtendedStatus.TARGET_CONNECTION_NOT_FOUND).isEqualTo(0x0107);
        assertThat(ExtendedStatus.UNCONNECTED_REQUEST_TIMED_OUT).isEqualTo(0x0204);
        assertThat(ExtendedStatus.INVALID_TO_SIZE).isEqualTo(0x0128);
    }

    @Test
    void unknownCodesAreDescribedNotRefused() {
        assertThat(ExtendedStatus.describe(0x0555)).isEqualTo("0x0555 unknown extended status");
        assertThat(ExtendedStatus.describe(-1)).contains("invalid");
    }
}
