package io.mpac.collector.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose certificate and key can be replaced while it is in use: every handshake
 * after {@link #set} presents the new identity, handshakes already done keep theirs. The alias
 * changes with every replacement, so nothing that caches by alias serves the old key.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {

  /** The delegate (from {@link Pem#keyManager}: SunX509, one entry named {@link Pem#ALIAS}) and our alias for it. */
  private record Current(X509ExtendedKeyManager delegate, String alias, String delegateAlias) {}

  private volatile Current current;
  private int generation;

  public ReloadableKeyManager(X509ExtendedKeyManager initial) {
    set(initial);
  }

  /** Replaces the identity for the handshakes to come. */
  public synchronized void set(X509ExtendedKeyManager next) {
    Objects.requireNonNull(next, "next");
    current = new Current(next, "identity-" + ++generation, Pem.ALIAS);
  }

  private Current forAlias(String alias) {
    Current c = current;
    return c.alias.equals(alias) ? c : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Current c = current;
    return c.delegate.getClientAliases(keyType, issuers) == null ? null : new String[] {c.alias};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    Current c = current;
    return c.delegate.chooseClientAlias(keyType, issuers, socket) == null ? null : c.alias;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    Current c = current;
    return c.delegate.chooseEngineClientAlias(keyType, issuers, engine) == null ? null : c.alias;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Current c = current;
    return c.delegate.getServerAliases(keyType, issuers) == null ? null : new String[] {c.alias};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Current c = current;
    return c.delegate.chooseServerAlias(keyType, issuers, socket) == null ? null : c.alias;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Current c = current;
    return c.delegate.chooseEngineServerAlias(keyType, issuers, engine) == null ? null : c.alias;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Current c = forAlias(alias);
    return c == null ? null : c.delegate.getCertificateChain(c.delegateAlias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Current c = forAlias(alias);
    return c == null ? null : c.delegate.getPrivateKey(c.delegateAlias);
  }
}
