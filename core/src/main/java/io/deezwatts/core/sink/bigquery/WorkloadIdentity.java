package io.deezwatts.core.sink.bigquery;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.ExternalAccountCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdentityPoolCredentials;
import io.deezwatts.core.auth.AzureManagedIdentity;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Google credentials for a function running on Azure, by Workload Identity Federation: the app's
 * managed identity token is exchanged at Google's STS for a federated token, which then
 * impersonates a service account. No key file exists anywhere.
 *
 * <p>Configuration: {@code DEEZWATTS_GCP_WIF_AUDIENCE} (the pool provider, {@code
 * //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/P}),
 * {@code DEEZWATTS_GCP_WIF_TOKEN_RESOURCE} (the Entra application ID URI the managed identity asks
 * a token for; the provider's allowed audience) and {@code DEEZWATTS_GCP_SERVICE_ACCOUNT} (the
 * service account to impersonate; unset: the federated identity is used directly).
 */
final class WorkloadIdentity {
  static final String AUDIENCE_VARIABLE = "DEEZWATTS_GCP_WIF_AUDIENCE";
  static final String RESOURCE_VARIABLE = "DEEZWATTS_GCP_WIF_TOKEN_RESOURCE";
  static final String SERVICE_ACCOUNT_VARIABLE = "DEEZWATTS_GCP_SERVICE_ACCOUNT";

  static final String STS_URL = "https://sts.googleapis.com/v1/token";
  static final String IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com/v1";

  private WorkloadIdentity() {}

  /**
   * The federated credentials the environment configures, or null when it configures none
   * (Application Default Credentials apply then).
   *
   * @throws IllegalStateException when the audience is set but the token resource or the managed
   *     identity is missing
   */
  static GoogleCredentials fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, null);
  }

  /** As {@link #fromEnvironment(Map)}, over {@code transport} (null: the library's default). */
  static GoogleCredentials fromEnvironment(
      Map<String, String> env, HttpTransportFactory transport) {
    String audience = env.get(AUDIENCE_VARIABLE);
    if (audience == null || audience.isBlank()) {
      return null;
    }
    String resource = env.get(RESOURCE_VARIABLE);
    if (resource == null || resource.isBlank()) {
      throw new IllegalStateException(
          AUDIENCE_VARIABLE + " is set but " + RESOURCE_VARIABLE + " is not");
    }
    AzureManagedIdentity identity = AzureManagedIdentity.fromEnvironment(env);
    IdentityPoolCredentials.Builder builder =
        IdentityPoolCredentials.newBuilder()
            .setAudience(audience.trim())
            .setSubjectTokenType(ExternalAccountCredentials.SubjectTokenTypes.JWT)
            .setTokenUrl(STS_URL)
            .setSubjectTokenSupplier(context -> subjectToken(identity, resource.trim()))
            .setScopes(List.of("https://www.googleapis.com/auth/cloud-platform"));
    String serviceAccount = env.get(SERVICE_ACCOUNT_VARIABLE);
    if (serviceAccount != null && !serviceAccount.isBlank()) {
      builder.setServiceAccountImpersonationUrl(
          IAM_CREDENTIALS_URL
              + "/projects/-/serviceAccounts/"
              + serviceAccount.trim()
              + ":generateAccessToken");
    }
    if (transport != null) {
      builder.setHttpTransportFactory(transport);
    }
    return builder.build();
  }

  private static String subjectToken(AzureManagedIdentity identity, String resource)
      throws IOException {
    return identity.token(resource);
  }
}
