/**
 * Every object identifier the CA, trust and client code use, named as its RFC or registry names it.
 * Add only: ca/, trust/ and client/ import these names.
 */

// Algorithms (RFC 5480, RFC 5758, RFC 8017)
export const id_ecPublicKey = '1.2.840.10045.2.1';
export const secp256r1 = '1.2.840.10045.3.1.7';
export const ecdsa_with_SHA256 = '1.2.840.10045.4.3.2';
export const rsaEncryption = '1.2.840.113549.1.1.1';
export const sha256WithRSAEncryption = '1.2.840.113549.1.1.11';
export const id_sha256 = '2.16.840.1.101.3.4.2.1';

// Attribute types of names (RFC 5280 appendix A, X.520)
export const id_at_commonName = '2.5.4.3';
export const id_at_surname = '2.5.4.4';
export const id_at_serialNumber = '2.5.4.5';
export const id_at_countryName = '2.5.4.6';
export const id_at_organizationName = '2.5.4.10';
export const id_at_organizationalUnitName = '2.5.4.11';
export const id_at_givenName = '2.5.4.42';
export const id_emailAddress = '1.2.840.113549.1.9.1';

// Certificate extensions (RFC 5280 section 4.2)
export const id_ce_subjectKeyIdentifier = '2.5.29.14';
export const id_ce_keyUsage = '2.5.29.15';
export const id_ce_subjectAltName = '2.5.29.17';
export const id_ce_basicConstraints = '2.5.29.19';
export const id_ce_cRLNumber = '2.5.29.20';
export const id_ce_cRLReasons = '2.5.29.21';
export const id_ce_invalidityDate = '2.5.29.24';
export const id_ce_deltaCRLIndicator = '2.5.29.27';
export const id_ce_cRLDistributionPoints = '2.5.29.31';
export const id_ce_certificatePolicies = '2.5.29.32';
export const id_ce_authorityKeyIdentifier = '2.5.29.35';
export const id_ce_extKeyUsage = '2.5.29.37';
export const id_ce_freshestCRL = '2.5.29.46';
export const anyPolicy = '2.5.29.32.0';
export const id_pe_authorityInfoAccess = '1.3.6.1.5.5.7.1.1';

// Access methods (RFC 5280 section 4.2.2.1)
export const id_ad_ocsp = '1.3.6.1.5.5.7.48.1';
export const id_ad_caIssuers = '1.3.6.1.5.5.7.48.2';

// Extended key purposes (RFC 5280 section 4.2.1.12)
export const id_kp_clientAuth = '1.3.6.1.5.5.7.3.2';
export const id_kp_emailProtection = '1.3.6.1.5.5.7.3.4';
export const id_kp_timeStamping = '1.3.6.1.5.5.7.3.8';
export const id_kp_OCSPSigning = '1.3.6.1.5.5.7.3.9';

// OCSP (RFC 6960)
export const id_pkix_ocsp_nocheck = '1.3.6.1.5.5.7.48.1.5';
export const id_pkix_ocsp_basic = '1.3.6.1.5.5.7.48.1.1';
export const id_pkix_ocsp_nonce = '1.3.6.1.5.5.7.48.1.2';

// PKCS#9 / PKCS#10 (RFC 2985, RFC 2986)
export const pkcs_9_at_extensionRequest = '1.2.840.113549.1.9.14';

// Kazakhstan national CA arc (DESIGN.md "E-signature profile")
/** Role: individual. */
export const kz_role_individual = '1.2.398.3.3.4.1.1';
/** Role: legal entity employee; the sub-roles below narrow it. */
export const kz_role_legalEntity = '1.2.398.3.3.4.1.2';
export const kz_role_firstHead = '1.2.398.3.3.4.1.2.1';
export const kz_role_maySign = '1.2.398.3.3.4.1.2.2';
export const kz_role_maySignFinancial = '1.2.398.3.3.4.1.2.3';
export const kz_role_hr = '1.2.398.3.3.4.1.2.4';
export const kz_role_employee = '1.2.398.3.3.4.1.2.5';
/** Identity-proofing method, carried in the EKU like the role. */
export const kz_proofing_inPerson = '1.2.398.3.3.4.3.1';
export const kz_proofing_remote = '1.2.398.3.3.4.3.2';
/** Certificate policies: signing and authentication, individuals and legal entities. */
export const kz_policy_individualSign = '1.2.398.3.3.2.1';
export const kz_policy_individualAuth = '1.2.398.3.3.2.2';
export const kz_policy_legalEntitySign = '1.2.398.3.3.2.3';
export const kz_policy_legalEntityAuth = '1.2.398.3.3.2.4';

// CMS content types and attributes (RFC 5652, RFC 2985, RFC 3161, RFC 5035)
export const id_data = '1.2.840.113549.1.7.1';
export const id_signedData = '1.2.840.113549.1.7.2';
export const id_encryptedData = '1.2.840.113549.1.7.6';
export const id_ct_TSTInfo = '1.2.840.113549.1.9.16.1.4';
export const id_contentType = '1.2.840.113549.1.9.3';
export const id_messageDigest = '1.2.840.113549.1.9.4';
export const id_signingTime = '1.2.840.113549.1.9.5';
export const id_aa_signingCertificate = '1.2.840.113549.1.9.16.2.12';
export const id_aa_timeStampToken = '1.2.840.113549.1.9.16.2.14';
export const id_aa_signingCertificateV2 = '1.2.840.113549.1.9.16.2.47';

// More digest and signature algorithms a relying party meets (RFC 3279, RFC 4055, RFC 5758)
export const id_sha1 = '1.3.14.3.2.26';
export const id_sha384 = '2.16.840.1.101.3.4.2.2';
export const id_sha512 = '2.16.840.1.101.3.4.2.3';
export const sha1WithRSAEncryption = '1.2.840.113549.1.1.5';
export const sha384WithRSAEncryption = '1.2.840.113549.1.1.12';
export const sha512WithRSAEncryption = '1.2.840.113549.1.1.13';
export const id_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const id_mgf1 = '1.2.840.113549.1.1.8';
export const ecdsa_with_SHA384 = '1.2.840.10045.4.3.3';
export const ecdsa_with_SHA512 = '1.2.840.10045.4.3.4';

// PKCS#12 and the password-based encryption inside it (RFC 7292, RFC 8018)
export const pkcs_9_at_friendlyName = '1.2.840.113549.1.9.20';
export const pkcs_9_at_localKeyId = '1.2.840.113549.1.9.21';
export const x509Certificate = '1.2.840.113549.1.9.22.1';
export const keyBag = '1.2.840.113549.1.12.10.1.1';
export const pkcs8ShroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
export const certBag = '1.2.840.113549.1.12.10.1.3';
export const pbeWithSHAAnd3_KeyTripleDES_CBC = '1.2.840.113549.1.12.1.3';
export const pbeWithSHAAnd128BitRC2_CBC = '1.2.840.113549.1.12.1.5';
export const pbeWithSHAAnd40BitRC2_CBC = '1.2.840.113549.1.12.1.6';
export const id_PBES2 = '1.2.840.113549.1.5.13';
export const id_PBKDF2 = '1.2.840.113549.1.5.12';
export const id_hmacWithSHA1 = '1.2.840.113549.2.7';
export const id_hmacWithSHA256 = '1.2.840.113549.2.9';
export const id_hmacWithSHA384 = '1.2.840.113549.2.10';
export const id_hmacWithSHA512 = '1.2.840.113549.2.11';
export const aes128_CBC = '2.16.840.1.101.3.4.1.2';
export const aes192_CBC = '2.16.840.1.101.3.4.1.22';
export const aes256_CBC = '2.16.840.1.101.3.4.1.42';
export const des_EDE3_CBC = '1.2.840.113549.3.7';

/**
 * Qorgau's time-stamp policy. Qorgau has no registered arc yet, so this is a UUID-based OID
 * (ITU-T X.667, arc 2.25), which needs no registration and cannot collide.
 */
export const qorgau_tsaPolicy = '2.25.58383543060197535484863069151461218713';

// Further certificate extensions a path validator must recognise when critical (RFC 5280 4.2)
export const id_ce_issuerAltName = '2.5.29.18';
export const id_ce_nameConstraints = '2.5.29.30';
export const id_ce_policyConstraints = '2.5.29.36';
export const id_ce_inhibitAnyPolicy = '2.5.29.54';
export const anyExtendedKeyUsage = '2.5.29.37.0';
