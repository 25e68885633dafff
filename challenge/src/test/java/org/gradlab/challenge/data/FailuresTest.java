package org.gradlab.challenge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void namesTheTypeAndTheFirstMessageAlongTheCauseChain() {
        ConnectException noMessage = new ConnectException();
        noMessage.initCause(new UnresolvedAddressException());
        assertEquals("ConnectException caused by UnresolvedAddressException", Failures.describe(noMessage));
        assertEquals("IOException caused by UnknownHostException: zenodo.org", Failures.describe(wrapped()));
        assertEquals("IOException: HTTP status 404", Failures.describe(new IOException("HTTP status 404")));
    }

    private static Throwable wrapped() {
        IOException e = new IOException((String) null);
        e.initCause(new UnknownHostException("zenodo.org"));
        return e;
    }
}
