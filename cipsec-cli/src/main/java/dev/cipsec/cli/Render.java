package dev.cipsec.cli;

import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shared renderings for human and JSON output. */
final class Render {
    private Render() {
    }

    static Map<String, Object> identity(IdentityInfo id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vendorId", id.vendorId());
        m.put("deviceType", id.deviceType());
        m.put("productCode", id.productCode());
        m.put("revision", id.revision());
        m.put("status", id.status());
        m.put("serialNumber", String.format("0x%08X", id.serialNumber()));
        m.put("productName", id.productName());
        if (id.state() != IdentityInfo.STATE_UNKNOWN) {
            m.put("state", id.state());
        }
        return m;
    }

    static Map<String, Object> listIdentity(ListIdentityResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", r.source());
        r.identity().ifPresent(id -> m.put("identity", identityItem(id)));
        r.security().ifPresent(s -> m.put("cipSecurity", securityItem(s)));
        m.put("conforming", r.conforming());
        if (!r.conforming()) {
            m.put("nonConformities", r.nonConformities());
        }
        return m;
    }

    static Map<String, Object> identityItem(CipIdentityItem id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vendorId", id.vendorId());
        m.put("deviceType", id.deviceType());
        m.put("productCode", id.productCode());
        m.put("revision", id.revisionMajor() + "." + id.revisionMinor());
        m.put("status", id.status());
        m.put("serialNumber", String.format("0x%08X", id.serialNumber()));
        m.put("productName", id.productName());
        m.put("state", id.state());
        return m;
    }

    static Map<String, Object> securityItem(CipSecurityItem s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("securityProfiles", String.format("0x%04X", s.securityProfiles()));
        m.put("cipSecurityState", s.cipSecurityState());
        m.put("eipSecurityState", s.eipSecurityState());
        m.put("ianaPortState", String.format("0x%02X", s.ianaPortState()));
        s.securityProfilesConfigured().ifPresent(c -> m.put("securityProfilesConfigured", String.format("0x%04X", c)));
        return m;
    }

    static String security(CipSecurityItem s) {
        return String.format("profiles 0x%04X, CIP Security state %d, EtherNet/IP Security state %d, ports 0x%02X",
                s.securityProfiles(), s.cipSecurityState(), s.eipSecurityState(), s.ianaPortState());
    }
}
