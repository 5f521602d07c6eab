/**
 * Commissioning, push model: the plant certificate authority ({@code ca}), the policy model an integrator
 * edits ({@code policy}) and the deployment of that policy to a fleet over TLS on 2221 with a resumable
 * per-device journal ({@code deploy}).
 */
package dev.cipsec.commission;
