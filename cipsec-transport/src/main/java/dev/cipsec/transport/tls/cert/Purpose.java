package dev.cipsec.transport.tls.cert;

/** Which end of a TLS connection a verified certificate belongs to. */
public enum Purpose {
    /** The peer is a server: we are the client checking it (extended key usage serverAuth). */
    SERVER,
    /** The peer is a client: we are the server checking it (extended key usage clientAuth). */
    CLIENT
}
